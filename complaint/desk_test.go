package complaint_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
)

var (
	regulator = bawwab.Actor{Name: "anrt.kbenali", Role: bawwab.RoleRegulator}
	operator  = bawwab.Actor{Name: "iam.noc", Role: bawwab.RoleOperator}
)

// TestCaseWorkflow follows a case from the forwarded SMS to its
// confirmation, and checks that each step is in the store and in the
// ledger with who took it and why, and refers to what it is about.
func TestCaseWorkflow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	decision := e.deliver(subscriberA, "ATLASMKT", "atlasvas", m1, t0.Add(time.Hour))
	e.feed()
	var confirmed []int64
	e.desk.OnConfirmed = func(c *bawwab.Complaint) { confirmed = append(confirmed, c.ID) }

	e.clock.Set(t0.Add(3 * time.Hour))
	c, err := e.desk.IntakeSMS(ctx, "0661234567", "3300", "Fwd: "+m1, t0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != bawwab.ComplaintOpen || c.ProviderID != "atlasvas" || c.SenderID != "ATLASMKT" || c.Channel != "3300" {
		t.Fatalf("case %+v", c)
	}
	if c.Reporter != e.keys.Pseudonym(subscriberA) {
		t.Fatal("the reporter is not the subscriber's pseudonym")
	}
	opened := c.Events[0]
	if opened.Action != bawwab.ComplaintActionOpened || opened.Actor != complaint.DeskActor || opened.LedgerIndex < 0 || opened.Origin != "node1" {
		t.Fatalf("first step %+v", opened)
	}
	reply := complaint.Reply(c)
	if !strings.Contains(reply, fmt.Sprint(c.ID)) || !strings.Contains(reply, "ATLASMKT") || !strings.Contains(reply, "تم تسجيل") {
		t.Errorf("reply %q", reply)
	}

	// Deciding needs a regulator or an operator, and a reason.
	for _, bad := range []struct {
		by     bawwab.Actor
		reason string
		code   string
	}{
		{bawwab.Actor{Name: "atlasvas.ops", Role: bawwab.RoleProvider}, "not us", bawwab.EFORBIDDEN},
		{bawwab.SystemActor, "automatic", bawwab.EFORBIDDEN},
		{regulator, "  ", bawwab.EINVALID},
		{bawwab.Actor{Role: bawwab.RoleRegulator}, "no name", bawwab.EINVALID},
	} {
		if _, err := e.desk.Confirm(ctx, c.ID, bad.by, bad.reason); bawwab.ErrorCode(err) != bad.code {
			t.Errorf("confirm by %s with %q: %v, want %s", bad.by, bad.reason, err, bad.code)
		}
	}
	e.clock.Set(t0.Add(30 * time.Hour))
	c, err = e.desk.Confirm(ctx, c.ID, regulator, "the operator's records show the message, sent without consent")
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != bawwab.ComplaintConfirmed || len(c.Events) != 2 {
		t.Fatalf("after confirming: %s, %d steps", c.Status, len(c.Events))
	}
	if !slices.Equal(confirmed, []int64{c.ID}) {
		t.Errorf("OnConfirmed called for %v", confirmed)
	}
	if _, err := e.desk.Dismiss(ctx, c.ID, operator, "second thoughts"); bawwab.ErrorCode(err) != bawwab.ECONFLICT {
		t.Errorf("dismissing a confirmed case: %v", err)
	}

	// The ledger holds both steps, with who, why and what they are about.
	got := e.entries(bawwab.EntryComplaint)
	if len(got) != 2 {
		t.Fatalf("%d complaint entries", len(got))
	}
	open, conf := got[0], got[1]
	if open.Action != "opened" || open.Actor != "system:complaint-desk" || open.ProviderID != "atlasvas" || open.SenderID != "ATLASMKT" ||
		open.Subject != fmt.Sprintf("complaint:%d", c.ID) || open.Channel != "3300" || !slices.Equal(open.Refs, []int64{decision}) ||
		open.Recipient != c.Reporter || open.Text != c.Text || !bytes.Equal(open.Fingerprint, c.Fingerprint) {
		t.Errorf("opened entry %+v", open)
	}
	if conf.Action != "confirmed" || conf.Actor != "regulator:anrt.kbenali" || conf.Detail != "the operator's records show the message, sent without consent" ||
		!slices.Equal(conf.Refs, []int64{decision, open.Index}) || !conf.Time.Equal(t0.Add(30*time.Hour)) || conf.Text != "" {
		t.Errorf("confirmed entry %+v", conf)
	}
	if c.Events[1].LedgerIndex != conf.Index {
		t.Errorf("the store says the confirmation is entry %d, the ledger %d", c.Events[1].LedgerIndex, conf.Index)
	}

	// An unmatched report is kept and recorded, and cannot be decided.
	u, err := e.desk.Intake(ctx, complaint.Report{From: subscriberA, Channel: "web", Text: "Gagnez un iPhone !!! cliquez vite", At: t0.Add(29 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if u.Status != bawwab.ComplaintUnmatched || u.Events[0].LedgerIndex < 0 {
		t.Fatalf("unmatched case %+v", u)
	}
	if _, err := e.desk.Confirm(ctx, u.ID, regulator, "x"); bawwab.ErrorCode(err) != bawwab.ECONFLICT {
		t.Errorf("confirming an unmatched case: %v", err)
	}
	last := e.entries(bawwab.EntryComplaint)
	if en := last[len(last)-1]; en.Action != "unmatched" || en.ProviderID != "" || len(en.Refs) != 0 {
		t.Errorf("unmatched entry %+v", en)
	}
	if !strings.Contains(complaint.Reply(u), "pas retrouvé") {
		t.Errorf("reply to an unmatched report: %q", complaint.Reply(u))
	}
}

// TestPendingSteps: a desk that cannot write the ledger (a command run
// while the gateway holds it) records the steps in the store; the desk
// that holds the ledger appends them.
func TestPendingSteps(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.deliver(subscriberA, "DarLbahja", "rifdigital", m4, t0.Add(time.Hour))
	e.feed()
	e.clock.Set(t0.Add(2 * time.Hour))
	c, err := e.desk.Intake(ctx, complaint.Report{From: subscriberA, Text: m4, At: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	offline := &complaint.Desk{Store: e.st.Complaints, Keys: e.keys, Now: e.clock.Now} // no ledger
	c, err = offline.Dismiss(ctx, c.ID, operator, "the subscriber had given consent at the shop")
	if err != nil {
		t.Fatal(err)
	}
	if c.Events[1].LedgerIndex != -1 {
		t.Fatalf("a step without a ledger has index %d", c.Events[1].LedgerIndex)
	}
	if n, err := e.desk.FlushPending(ctx, complaint.PendingGrace); err != nil || n != 0 {
		t.Fatalf("a step younger than the grace period was appended (%d, %v)", n, err)
	}
	e.clock.Set(t0.Add(3 * time.Hour))
	n, err := e.desk.FlushPending(ctx, complaint.PendingGrace)
	if err != nil || n != 1 {
		t.Fatalf("flushed %d, %v; want 1", n, err)
	}
	c, err = e.st.Complaints.FindComplaintByID(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	entries := e.entries(bawwab.EntryComplaint)
	last := entries[len(entries)-1]
	if c.Events[1].LedgerIndex != last.Index || last.Action != "dismissed" || last.Actor != "operator:iam.noc" || !slices.Contains(last.Refs, c.Events[0].LedgerIndex) {
		t.Fatalf("pending step appended as %+v (store says %d)", last, c.Events[1].LedgerIndex)
	}
	if n, err := e.desk.FlushPending(ctx, 0); err != nil || n != 0 {
		t.Fatalf("second flush appended %d (%v)", n, err)
	}
}

func TestIntakeRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for name, r := range map[string]complaint.Report{
		"bad number":    {From: "06123", Text: m1},
		"letters":       {From: "ATLASMKT", Text: m1},
		"no text":       {From: subscriberA, Text: "  \n"},
		"too long":      {From: subscriberA, Text: strings.Repeat("x", complaint.MaxReportText+1)},
		"invalid UTF-8": {From: subscriberA, Text: "\xff\xfe"},
	} {
		_, err := e.desk.Intake(ctx, r)
		if bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "06123") {
			t.Errorf("%s: the error repeats the number: %v", name, err)
		}
	}
}

// TestNoClearNumbers reports messages whose texts hold the subscriber's
// number (and others), then looks for every number, in every form, in the
// cases as the API shows them, in the store's files and in the ledger's.
func TestNoClearNumbers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.deliver(subscriberA, "ATLASMKT", "atlasvas", m1, t0.Add(time.Hour))
	e.feed()
	e.clock.Set(t0.Add(2 * time.Hour))
	third := "+212698765432"
	reports := []complaint.Report{
		{From: "06 61 23 45 67", Channel: "3300", Text: "De: ATLASMKT\nÀ: 0661234567\n" + m1},
		{From: subscriberA, Channel: "web", SenderID: "+212698765432", Text: "Ce numéro 06 98 76 54 32 m'appelle, et ceci : " + m1},
		{From: "٠٦٦١٢٣٤٥٦٧", Channel: "api", Text: "spam de 00212698765432, mon numéro +212 661-234567 est sur liste rouge"},
	}
	var cases []*bawwab.Complaint
	for _, r := range reports {
		c, err := e.desk.Intake(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	if _, err := e.desk.Confirm(ctx, cases[0].ID, regulator, "called back the subscriber at 0661234567"); err != nil {
		t.Fatal(err)
	}
	if err := e.ledger.Close(); err != nil {
		t.Fatal(err)
	}
	all, _, err := e.st.Complaints.FindComplaints(ctx, bawwab.ComplaintFilter{})
	if err != nil {
		t.Fatal(err)
	}
	api, _ := json.Marshal(all)
	if !strings.Contains(string(api), complaint.MaskedNumber) || !strings.Contains(string(api), "reporter") {
		t.Fatalf("the cases show no masked number: the test proves nothing\n%s", api)
	}
	if err := e.db.Close(); err != nil {
		t.Fatal(err)
	}
	haystacks := map[string][]byte{"cases (API)": api}
	filepath.WalkDir(e.dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(path, "keys") {
			data, _ := os.ReadFile(path)
			haystacks[path] = data
		}
		return nil
	})
	for _, n := range []string{subscriberA, third} {
		national := n[4:]
		forms := []string{n, n[1:], "0" + national, national, "0" + national[:1] + " " + national[1:3]}
		for name, h := range haystacks {
			for _, f := range forms {
				if bytes.Contains(h, []byte(f)) {
					t.Errorf("%s holds the number %s in clear (as %q)", name, n, f)
				}
			}
		}
	}
	// The ledger still verifies, and the pseudonyms find the subscriber.
	r, err := ledger.OpenReader(filepath.Join(e.dir, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	found := 0
	for en, err := range r.FindEntries(ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryComplaint}, Recipients: e.keys.Pseudonyms(subscriberA)}) {
		if err != nil {
			t.Fatal(err)
		}
		found++
		_ = en
	}
	if found != 4 {
		t.Errorf("found %d complaint entries of the subscriber by pseudonym, want 4", found)
	}
}

func TestParseForward(t *testing.T) {
	tests := []struct {
		in, sender, body string
	}{
		{"Fwd: Promo -30%", "", "Promo -30%"},
		{"FW: TR: Promo", "", "Promo"},
		{"De: ATLASMKT\nPromo -30% STOP au 5050", "ATLASMKT", "Promo -30% STOP au 5050"},
		{"De : Dar Lbahja\nSoldes", "Dar Lbahja", "Soldes"},
		{"Fwd: De: ATLASMKT Atlas Market -30% sur tout le rayon chaussures", "ATLASMKT", "Atlas Market -30% sur tout le rayon chaussures"},
		{"From: <SOUKNOUR>\nDate: 12/06/2025\nتخفيضات", "SOUKNOUR", "تخفيضات"},
		{"Message transféré\nExpéditeur : ATLASMKT\nLe 12/06/2025 à 10:32\nPromo", "ATLASMKT", "Promo"},
		{"---------- Forwarded message ----------\nFrom: KECHSHOP\nSubject: promo\n\nSneakers -35%", "KECHSHOP", "Sneakers -35%"},
		{"رسالة محولة\nمن: SOUKNOUR\nتخفيضات تصل إلى 40%", "SOUKNOUR", "تخفيضات تصل إلى 40%"},
		{"رسالة محولة: سوق النور تخفيضات", "", "سوق النور تخفيضات"},
		{"Trop de promos ! TR n'est pas un marqueur ici", "", "Trop de promos ! TR n'est pas un marqueur ici"},
		{"De plus en plus de spam", "", "De plus en plus de spam"},
		{"Transfert du colis prévu demain", "", "Transfert du colis prévu demain"},
		{"", "", ""},
		{"Fwd:", "", ""},
	}
	for _, tt := range tests {
		f := complaint.ParseForward(tt.in)
		if f.Sender != tt.sender || f.Body != tt.body {
			t.Errorf("ParseForward(%q) = %q, %q; want %q, %q", tt.in, f.Sender, f.Body, tt.sender, tt.body)
		}
	}
}

func TestMaskNumbers(t *testing.T) {
	m := complaint.MaskedNumber
	tests := []struct{ in, want string }{
		{"appelez le 0661234567", "appelez le " + m},
		{"+212 6 61 23 45 67 svp", m + " svp"},
		{"(0661) 23.45.67", "(" + m},
		{"00212661234567", m},
		{"٠٦٦١٢٣٤٥٦٧", m},
		{"STOP au 5050, -30% dès 300 DH", "STOP au 5050, -30% dès 300 DH"},
		{"le 12/06/2025 à 10:32", "le 12/06/2025 à 10:32"},
		{"commande n° 48213", "commande n° 48213"},
		{"0800 00 45 45", m},
		{"a 0661234567 b 0698765432", "a " + m + " b " + m},
		{"+", "+"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := complaint.MaskNumbers(tt.in); got != tt.want {
			t.Errorf("MaskNumbers(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
