package mo

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
)

var update = flag.Bool("update", false, "rewrite testdata/replies.golden")

// moCases are MO messages with what they must do. changes lists the
// oppositions, "stop national; start advertiser:marjane"; fr and ar are
// substrings the replies must hold.
var moCases = []struct {
	to, text string
	kind     Kind
	issue    Issue
	changes  string
	match    Match
	fr, ar   string
}{
	// French, to the national channel.
	{to: "3030", text: "STOP", kind: KindStop, changes: "stop national", fr: "Vous ne recevrez plus aucun SMS commercial", ar: "START ALL"},
	{to: "3030", text: "Stop.", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "stop", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOP ALL", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOPALL", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "Stop tout !", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOP tous les SMS", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOP SMS", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "ARRÊT", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "arret", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "Arrêtez", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "DESABONNER", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "Désabonnement", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "me désabonner", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "DESINSCRIRE", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "stooop", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "stpo", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "desabonee", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOP3030", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "STOP STOP STOP !!!", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "Arrêtez l'envoi des SMS", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "stop stop ATLASMKT", kind: KindStop, changes: "stop advertiser:atlas-market"},
	{to: "3030", text: "STOP atlas market", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact,
		fr: "Vous ne recevrez plus de SMS commerciaux d'Atlas Market. Pour les recevoir à nouveau, envoyez START ATLASMKT au 3030.",
		ar: "لن تتوصل بعد الآن بالرسائل التجارية من Atlas Market. لاستقبالها من جديد أرسل START ATLASMKT إلى 3030."},
	{to: "3030", text: "ARRÊT ATLASMKT", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "stop Atlas-Market", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "STOP ATLASMARKET", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "Bonjour, STOP les SMS de Atlas Market svp", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "STOP ATLASMKT au 3030", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "ATLASMKT STOP", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchExact},
	{to: "3030", text: "STOP atlsmarket", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchTypo},
	{to: "3030", text: "STOP ATLASMTK", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchTypo},
	{to: "3030", text: "STOP mamounia", kind: KindStop, changes: "stop advertiser:la-mamounia", match: MatchExact, fr: "de La Mamounia"},
	{to: "3030", text: "STOP Café Fès Délices", kind: KindStop, changes: "stop advertiser:cafe-fes", match: MatchExact},
	{to: "3030", text: "stop cafe", kind: KindStop, changes: "stop advertiser:cafe-fes", match: MatchPrefix},
	{to: "3030", text: "STOP 5151", kind: KindStop, changes: "stop advertiser:marjane", match: MatchExact},
	{to: "3030", text: "STOP 5050", kind: KindStop, changes: "stop provider:atlasvas", match: MatchExact, fr: "d'Atlas VAS SARL (toutes ses marques)"},
	{to: "3030", text: "STOP5050", kind: KindStop, changes: "stop provider:atlasvas", match: MatchExact},
	{to: "3030", text: "STOP ATLASMKT, MARJANE", kind: KindStop, changes: "stop advertiser:atlas-market; stop advertiser:marjane",
		fr: "d'Atlas Market et de Marjane", ar: "START ATLASMKT, MARJANE"},
	{to: "3030", text: "STOP Atlas Market et Marjane", kind: KindStop, changes: "stop advertiser:atlas-market; stop advertiser:marjane"},
	{to: "3030", text: "STOP atlas", kind: KindStop, issue: IssueAmbiguousBrand, match: MatchPrefix,
		fr: "STOP ATLASMKT (Atlas Market) ou STOP ATLASMOTO (Atlas Moto) au 3030", ar: "أكثر من علامة"},
	{to: "3030", text: "STOP xyzcorp", kind: KindStop, issue: IssueUnknownBrand, fr: `"xyzcorp"`, ar: `"xyzcorp"`},
	{to: "3030", text: "je veux pas que ça stop", kind: KindUnknown, issue: IssueNoKeyword, fr: "Message non compris. StopSMS 3030"},
	{to: "3030", text: "Il faut que ça stop", kind: KindUnknown, issue: IssueNoKeyword},
	{to: "3030", text: "Ne m'envoyez plus de stop", kind: KindUnknown, issue: IssueNoKeyword},
	{to: "3030", text: "Stop spamming me please", kind: KindUnknown, issue: IssueNotInstruction, ar: "لم نفهم رسالتك"},
	{to: "3030", text: "stop, c'est quoi ce message ?", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "START ATLASMKT", kind: KindStart, changes: "start advertiser:atlas-market",
		fr: "Vous recevrez à nouveau les SMS commerciaux d'Atlas Market. Pour ne plus les recevoir, envoyez STOP ATLASMKT au 3030."},
	{to: "3030", text: "START ALL", kind: KindStart, changes: "start national", fr: "vos oppositions à une marque restent en place"},
	{to: "3030", text: "start", kind: KindStart, changes: "start national"},
	{to: "3030", text: "UNSTOP atlas-market", kind: KindStart, changes: "start advertiser:atlas-market"},
	{to: "3030", text: "OUI", kind: KindStart, changes: "start national"},
	{to: "3030", text: "Oui mais arrêtez", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "Oui je veux bien", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "START spamming me", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "AIDE", kind: KindHelp, fr: "StopSMS 3030, gratuit", ar: "StopSMS 3030 مجاني"},
	{to: "3030", text: "Info ?", kind: KindHelp},
	{to: "3030", text: "QUI ATLASMKT", kind: KindContact, match: MatchExact,
		fr: "Atlas Market : service client 0522 45 67 89, atlasmarket.ma. Envoyé par Atlas VAS SARL (ANRT D-2019-041). Pour ne plus en recevoir : STOP ATLASMKT au 3030."},
	{to: "3030", text: "CONTACT marjane", kind: KindContact, match: MatchExact, fr: "Atlas VAS SARL (ANRT D-2019-041) et Sahel Com (ANRT D-2020-117)"},
	{to: "3030", text: "INFO ATLASMKT", kind: KindContact, match: MatchExact, fr: "Atlas VAS SARL"},
	{to: "3030", text: "contact atlasvas", kind: KindContact, match: MatchExact, fr: "Atlas VAS SARL : prestataire SMS déclaré à l'ANRT (D-2019-041)"},
	{to: "3030", text: "QUI Maroc Telecom", kind: KindContact, match: MatchExact, fr: "Maroc Telecom : *6 ou iam.ma"},
	{to: "3030", text: "QUI", kind: KindContact, issue: IssueNoBrand, fr: "envoyez QUI suivi du nom de la marque"},
	{to: "3030", text: "Qui êtes-vous ?", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "QUI xyzcorp", kind: KindContact, issue: IssueUnknownBrand, fr: "Envoyez QUI suivi du nom"},
	{to: "3030", text: "END", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "End of story", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "3030", text: "CANCEL", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "", kind: KindUnknown, issue: IssueNoKeyword},
	{to: "3030", text: "🛑🛑", kind: KindUnknown, issue: IssueNoKeyword},

	// English.
	{to: "3030", text: "UNSUBSCRIBE", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "opt out", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "Opt-out ATLASMKT", kind: KindStop, changes: "stop advertiser:atlas-market"},
	{to: "3030", text: "QUIT", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "REVOKE ALL", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "YES", kind: KindStart, changes: "start national"},
	{to: "3030", text: "help", kind: KindHelp},
	{to: "3030", text: "who MODASALA", kind: KindContact, fr: "Moda Sala : contact non renseigné. Envoyé par Sahel Com"},

	// Arabic.
	{to: "3030", text: "  توقف  ", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "توقف الكل", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "إيقاف", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "ايقاف الرسائل", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "توقف عن إرسال الرسائل", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "توقف عن إرسال رسائل مرجان", kind: KindStop, changes: "stop advertiser:marjane"},
	{to: "3030", text: "إلغاء الاشتراك", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "الغاء", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "ستوب", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "توقففف", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "السلام عليكم، توقف عافاك", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "توقف أطلس ماركت", kind: KindStop, changes: "stop advertiser:atlas-market", match: MatchSound},
	{to: "3030", text: "توقف مرجان", kind: KindStop, changes: "stop advertiser:marjane", match: MatchSound},
	{to: "3030", text: "إيقاف مدارس الزيتون", kind: KindStop, changes: "stop advertiser:zitoun", match: MatchExact,
		fr: "de ZITOUNEDU", ar: "من مدارس الزيتون"},
	{to: "3030", text: "إيقاف رسائل شعبي كاش", kind: KindStop, changes: "stop advertiser:chaabi-cash", match: MatchSound},
	{to: "3030", text: "توقف الزيتون", kind: KindStop, issue: IssueUnknownBrand, ar: `"الزيتون"`},
	{to: "3030", text: "لا تتوقف", kind: KindUnknown, issue: IssueNoKeyword},
	{to: "3030", text: "ابدأ", kind: KindStart, changes: "start national"},
	{to: "3030", text: "ابدأ ATLASMKT", kind: KindStart, changes: "start advertiser:atlas-market"},
	{to: "3030", text: "نعم", kind: KindStart, changes: "start national"},
	{to: "3030", text: "مساعدة", kind: KindHelp},
	{to: "3030", text: "شكون ATLASMKT", kind: KindContact, ar: "Atlas Market: service client"},

	// Darija in Latin letters.
	{to: "3030", text: "wqef", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "W9EF", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "7bes", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "w9ef kolchi", kind: KindStop, changes: "stop national"},
	{to: "3030", text: "wa9ef marjane", kind: KindStop, changes: "stop advertiser:marjane"},
	{to: "3030", text: "wgef atlasmkt", kind: KindStop, changes: "stop advertiser:atlas-market"},
	{to: "3030", text: "salam, w9ef ATLASMKT 3afak", kind: KindStop, changes: "stop advertiser:atlas-market"},
	{to: "3030", text: "stop chaabi", kind: KindStop, changes: "stop advertiser:chaabi-cash", match: MatchPrefix},
	{to: "3030", text: "chkoun ATLASMKT", kind: KindContact},
	{to: "3030", text: "3awni", kind: KindHelp},

	// A provider's own channel: the channel's scope.
	{to: "5050", text: "STOP", kind: KindStop, changes: "stop provider:atlasvas",
		fr: "Vous ne recevrez plus de SMS commerciaux d'Atlas VAS SARL (toutes ses marques). Pour les recevoir à nouveau, envoyez START au 5050."},
	{to: "5050", text: "STOP ATLASMKT", kind: KindStop, changes: "stop provider:atlasvas"},
	{to: "5050", text: "STOP MODASALA", kind: KindStop, changes: "stop provider:atlasvas; stop advertiser:moda-sala", fr: "envoyez START MODASALA au 5050"},
	{to: "5050", text: "Stop spamming me please", kind: KindStop, changes: "stop provider:atlasvas"},
	{to: "5050", text: "ARRÊTEZ de m'envoyer des SMS", kind: KindStop, changes: "stop provider:atlasvas"},
	{to: "5050", text: "STOP xyzcorp", kind: KindStop, changes: "stop provider:atlasvas"},
	{to: "5050", text: "STOP ALL", kind: KindStop, changes: "stop provider:atlasvas"},
	{to: "5050", text: "START", kind: KindStart, changes: "start provider:atlasvas", fr: "envoyez STOP au 5050"},
	{to: "5050", text: "START je veux bien", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "5050", text: "QUI", kind: KindContact, fr: "Atlas VAS SARL : prestataire SMS"},
	{to: "5050", text: "Qui êtes-vous ?", kind: KindContact, fr: "Atlas VAS SARL : prestataire SMS"},
	{to: "5050", text: "AIDE", kind: KindHelp, fr: "Le 5050 est le numéro gratuit de désabonnement d'Atlas VAS SARL"},
	{to: "5050", text: "bonjour", kind: KindUnknown, issue: IssueNoKeyword, fr: "Message non compris. Le 5050"},
	// An advertiser's own channel.
	{to: "4545", text: "STOP", kind: KindStop, changes: "stop advertiser:marjane", fr: "de Marjane. Pour les recevoir à nouveau, envoyez START au 4545."},
	{to: "4545", text: "ARRET TOUT", kind: KindStop, changes: "stop advertiser:marjane"},
	{to: "4545", text: "توقف", kind: KindStop, changes: "stop advertiser:marjane"},
	{to: "4545", text: "STOP ATLASMKT", kind: KindStop, changes: "stop advertiser:marjane; stop advertiser:atlas-market"},
	{to: "4545", text: "OUI", kind: KindStart, changes: "start advertiser:marjane"},
	{to: "4545", text: "QUI", kind: KindContact, fr: "Marjane : marjane.ma"},
	{to: "4545", text: "QUI ATLASMKT", kind: KindContact, fr: "STOP ATLASMKT au 3030"},
	// A provider's service code: keywords are captured, the rest relayed.
	{to: "7070", text: "STOP", kind: KindStop, changes: "stop provider:sahelcom"},
	{to: "7070", text: "Bonjour je voudrais des infos sur mon abonnement", kind: KindUnknown, issue: IssueNoKeyword},
	{to: "7070", text: "Annuler commande 123", kind: KindUnknown, issue: IssueNotInstruction},
	{to: "7070", text: "Cancel my order", kind: KindUnknown, issue: IssueNotInstruction},
}

func TestHandle(t *testing.T) {
	d := testDirectory(t)
	var golden strings.Builder
	golden.WriteString("# Replies of the MO engine to the cases of engine_test.go (go test -update to rewrite).\n")
	for _, c := range moCases {
		r, err := d.Handle(MO{From: testNumber, To: c.to, Text: c.text, At: testTime})
		if err != nil {
			t.Errorf("%s %q: %v", c.to, c.text, err)
			continue
		}
		if r.Kind != c.kind || r.Issue != c.issue {
			t.Errorf("%s %q: kind %v, issue %v; want %v, %v", c.to, c.text, r.Kind, r.Issue, c.kind, c.issue)
		}
		var changes []string
		for _, o := range r.Oppositions {
			changes = append(changes, o.Action.String()+" "+o.Scope.String())
			if o.MSISDN != testNumber || !o.At.Equal(testTime) || o.Channel != c.to || o.Seq != 0 {
				t.Errorf("%s %q: opposition %+v: want number, time and channel of the MO", c.to, c.text, o)
			}
		}
		if got := strings.Join(changes, "; "); got != c.changes {
			t.Errorf("%s %q: changes %q, want %q", c.to, c.text, got, c.changes)
		}
		if c.match != MatchNone && r.Match != c.match {
			t.Errorf("%s %q: match %v, want %v", c.to, c.text, r.Match, c.match)
		}
		checkReply(t, c.to+" "+c.text, r.Reply)
		if !strings.Contains(r.Reply.French, c.fr) {
			t.Errorf("%s %q: French reply %q lacks %q", c.to, c.text, r.Reply.French, c.fr)
		}
		if !strings.Contains(r.Reply.Arabic, c.ar) {
			t.Errorf("%s %q: Arabic reply %q lacks %q", c.to, c.text, r.Reply.Arabic, c.ar)
		}
		fmt.Fprintf(&golden, "\n%s %q: %v", c.to, c.text, r.Kind)
		if r.Issue != IssueNone {
			fmt.Fprintf(&golden, " (%v)", r.Issue)
		}
		for _, ch := range changes {
			fmt.Fprintf(&golden, "; %s", ch)
		}
		fmt.Fprintf(&golden, "\n  fr: %s\n  ar: %s\n", r.Reply.French, r.Reply.Arabic)
	}
	path := filepath.Join("testdata", "replies.golden")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (go test -update writes it): %v", err)
	}
	if string(want) != golden.String() {
		t.Errorf("replies differ from %s; review with go test -update and git diff", path)
	}
}

// checkReply checks what every reply must be: both texts there, each
// within two SMS parts.
func checkReply(t *testing.T, what string, r Reply) {
	t.Helper()
	if r.French == "" || r.Arabic == "" {
		t.Errorf("%s: an empty reply: %+v", what, r)
	}
	if n := Parts(r.French); n > 2 {
		t.Errorf("%s: French reply takes %d parts: %q", what, n, r.French)
	}
	if n := Parts(r.Arabic); n > 2 {
		t.Errorf("%s: Arabic reply takes %d parts: %q", what, n, r.Arabic)
	}
}

func TestHandleErrors(t *testing.T) {
	d := testDirectory(t)
	for _, c := range []struct {
		m    MO
		code string
	}{
		{MO{From: testNumber, To: "9999", Text: "STOP", At: testTime}, bawwab.ENOTFOUND},
		{MO{From: testNumber, To: "8585", Text: "STOP", At: testTime}, bawwab.EINVALID}, // a complaint channel
		{MO{From: "", To: "3030", Text: "STOP", At: testTime}, bawwab.EINVALID},
		{MO{From: testNumber, To: "3030", Text: "STOP"}, bawwab.EINVALID},
	} {
		_, err := d.Handle(c.m)
		if got := bawwab.ErrorCode(err); got != c.code {
			t.Errorf("Handle(%+v): error %v (code %q), want code %q", c.m, err, got, c.code)
		}
	}
	// The destination as the SMSC may write it.
	if _, err := d.Handle(MO{From: testNumber, To: " 3030 ", Text: "STOP", At: testTime}); err != nil {
		t.Errorf("Handle to \" 3030 \": %v", err)
	}
}

// TestHandleDoesNotLeakText: what one message said must not show in the
// reply to the next (the parsers are pooled).
func TestHandleDoesNotLeakText(t *testing.T) {
	d := testDirectory(t)
	first, _ := d.Handle(MO{From: testNumber, To: "3030", Text: "STOP xyzcorp", At: testTime})
	if !strings.Contains(first.Reply.French, "xyzcorp") {
		t.Fatalf("reply %q does not quote the name", first.Reply.French)
	}
	next, _ := d.Handle(MO{From: testNumber, To: "3030", Text: "STOP ATLASMKT", At: testTime})
	if strings.Contains(next.Reply.French+next.Reply.Arabic, "xyzcorp") {
		t.Errorf("reply %+v holds a word of the message before", next.Reply)
	}
}
