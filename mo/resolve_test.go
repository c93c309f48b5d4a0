package mo

import (
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
)

func TestResolve(t *testing.T) {
	d := testDirectory(t)
	for _, c := range []struct {
		name  string
		want  string // the scope resolved, or the candidates' scopes joined by "|"
		match Match
	}{
		{"Atlas Market", "advertiser:atlas-market", MatchExact},
		{"ATLASMKT", "advertiser:atlas-market", MatchExact},
		{"atlas-market", "advertiser:atlas-market", MatchExact},
		{"  atlas   market !! ", "advertiser:atlas-market", MatchExact},
		{"ÀTLAS MÄRKET", "advertiser:atlas-market", MatchExact},
		{"ＡＴＬＡＳＭＫＴ", "advertiser:atlas-market", MatchExact}, // fullwidth
		{"atlas", "advertiser:atlas-market|advertiser:atlas-moto", MatchPrefix},
		{"atlasmarkt", "advertiser:atlas-market", MatchTypo},
		{"atlsa market", "advertiser:atlas-market", MatchTypo}, // two letters swapped
		{"ATLASMOTOO", "advertiser:atlas-moto", MatchTypo},
		{"atlas mot", "advertiser:atlas-market|advertiser:atlas-moto", MatchTypo}, // one edit from both
		{"Marjanne", "advertiser:marjane", MatchTypo},
		{"مرجان", "advertiser:marjane", MatchSound},
		{"أطلس ماركت", "advertiser:atlas-market", MatchSound},
		{"اطلس ماركت", "advertiser:atlas-market", MatchSound},
		{"شعبي كاش", "advertiser:chaabi-cash", MatchSound},
		{"مدارس الزيتون", "advertiser:zitoun", MatchExact},
		{"مدارس الزيتونن", "advertiser:zitoun", MatchTypo},
		{"5151", "advertiser:marjane", MatchExact},             // a numeric sender ID
		{"٥١٥١", "advertiser:marjane", MatchExact},             // in Arabic digits
		{"5050", "provider:atlasvas", MatchExact},              // a provider's channel
		{"4545", "advertiser:marjane", MatchExact},             // an advertiser's channel
		{"Sahel Com", "provider:sahelcom", MatchExact},         // a provider by name
		{"Maroc Telecom", "advertiser:iam-offres", MatchExact}, // the advertiser before the provider of the same name
		{"IAM", "advertiser:iam-offres", MatchExact},
		{"Mamounia", "advertiser:la-mamounia", MatchExact}, // without its article
		{"La Mamounia", "advertiser:la-mamounia", MatchExact},
		{"bim", "advertiser:bim", MatchExact},
		{"bin", "", MatchNone}, // too short for a typo
		{"xyzcorp", "", MatchNone},
		{"", "", MatchNone},
		{"3030", "", MatchNone}, // the national channel names nobody
	} {
		r := d.Resolve(c.name)
		var got string
		if r.Resolved() {
			got = r.Brand.Scope.String()
		}
		var cands []string
		for _, b := range r.Candidates {
			cands = append(cands, b.Scope.String())
		}
		if r.Ambiguous() {
			got = strings.Join(cands, "|")
		}
		if got != c.want || r.Match != c.match {
			t.Errorf("Resolve(%q) = %q by %v, want %q by %v", c.name, got, r.Match, c.want, c.match)
		}
	}
}

// TestHandlesResolveBack: what the replies tell subscribers to write must
// name the brand they are about.
func TestHandlesResolveBack(t *testing.T) {
	d := testDirectory(t)
	for _, b := range d.Brands() {
		r := d.Resolve(b.Handle)
		if r.Resolved() && r.Match == MatchExact && r.Brand.Scope == b.Scope {
			continue
		}
		if b.Scope.String() == "provider:iam" {
			// Every name of the operator's provider account is also a name
			// of its advertiser, which comes first: STOP IAM stops the
			// advertiser; the provider's own channel stops the provider.
			continue
		}
		t.Errorf("handle %q of %v resolves to %+v", b.Handle, b.Scope, r)
	}
}

func TestSkeleton(t *testing.T) {
	for _, c := range [][2]string{
		{"Atlas Market", "أطلس ماركت"},
		{"Marjane", "مرجان"},
		{"Chaabi", "شعبي"},
		{"Marrakech", "مراكش"},
		{"Orange", "أورنج"},
		{"Khalid", "خالد"},
		{"Label'Vie", "لابيل في"},
		{"Al Madar", "المدار"},
		{"Hanout", "حانوت"},
		{"7anout", "حانوت"}, // Arabizi
		{"Ta9a", "طاقة"},    // Arabizi, final ة
		{"Zakia", "زكية"},
		{"Ghita", "غيتة"},
		{"Fes", "فاس"},
	} {
		a, b := skeletonString(c[0]), skeletonString(c[1])
		if a != b || a == "" {
			t.Errorf("skeletons of %q and %q: %q and %q, want one", c[0], c[1], a, b)
		}
	}
	for _, c := range [][2]string{{"Atlas", "Tulips"}, {"Marjane", "Mirador"}} {
		if a, b := skeletonString(c[0]), skeletonString(c[1]); a == b {
			t.Errorf("skeletons of %q and %q: both %q", c[0], c[1], a)
		}
	}
}

func skeletonString(s string) string {
	var p parser
	p.text.Reset(s)
	ws := wordsOf(nil, p.text.Bytes())
	return string(skeletonOf(nil, p.text.Bytes(), ws))
}

func TestOSA(t *testing.T) {
	var rows [3][maxFuzzy + 2]int
	for _, c := range []struct {
		a, b  string
		bound int
		want  int
	}{
		{"stop", "stop", 2, 0},
		{"stop", "stpo", 2, 1},
		{"atlasmarket", "atlasmarkt", 2, 1},
		{"atlasmarket", "atlsamarket", 2, 1},
		{"atlasmarket", "atlasmkt", 2, 3}, // beyond the bound
		{"abc", "xyz", 2, 3},
		{"مرجان", "مرجاان", 1, 1},
		{"", "ab", 2, 2},
	} {
		if got := osa([]rune(c.a), []rune(c.b), c.bound, &rows); got != c.want {
			t.Errorf("osa(%q, %q, %d) = %d, want %d", c.a, c.b, c.bound, got, c.want)
		}
	}
}

func TestNewDirectoryErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(*Records)
		want   string
	}{
		{"duplicate advertiser", func(r *Records) { r.Advertisers = append(r.Advertisers, r.Advertisers[0]) }, `duplicate advertiser "atlas-market"`},
		{"duplicate provider", func(r *Records) { r.Providers = append(r.Providers, r.Providers[0]) }, `duplicate provider "atlasvas"`},
		{"advertiser without ID", func(r *Records) { r.Advertisers[0].ID = "" }, "has no ID"},
		{"unknown provider of an advertiser", func(r *Records) { r.Advertisers[0].ProviderIDs = []string{"ghost"} }, `unknown provider "ghost"`},
		{"sender of an unknown advertiser", func(r *Records) { r.SenderIDs[0].AdvertiserID = "ghost" }, `sender ID "ATLASMKT": unknown advertiser "ghost"`},
		{"sender of an unknown provider", func(r *Records) { r.SenderIDs[0].ProviderID = "ghost" }, `sender ID "ATLASMKT": unknown provider "ghost"`},
		{"channel of an unknown provider", func(r *Records) { r.Channels[1].ProviderID = "ghost" }, `channel 5050: unknown provider "ghost"`},
		{"channel of an unknown advertiser", func(r *Records) { r.Channels[2].AdvertiserID = "ghost" }, `channel 4545: unknown advertiser "ghost"`},
		{"duplicate channel", func(r *Records) { r.Channels = append(r.Channels, r.Channels[0]) }, "duplicate channel 3030"},
		{"channel without digits", func(r *Records) { r.Channels[0].Code = "STOP" }, "no digits"},
	} {
		r := testRecords()
		c.change(&r)
		_, err := NewDirectory(r)
		if err == nil || !strings.Contains(err.Error(), c.want) || bawwab.ErrorCode(err) != bawwab.EINVALID {
			t.Errorf("%s: error %v, want an invalid error with %q", c.name, err, c.want)
		}
	}
}

func TestChannel(t *testing.T) {
	d := testDirectory(t)
	if c, err := d.Channel("5050"); err != nil || c.ProviderID != "atlasvas" {
		t.Errorf("Channel(5050) = %+v, %v", c, err)
	}
	if _, err := d.Channel("1234"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("Channel(1234): error %v, want not found", err)
	}
	if d.National() != "3030" {
		t.Errorf("National() = %q, want 3030", d.National())
	}
}
