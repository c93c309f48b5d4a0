package mo

import (
	"reflect"
	"testing"

	"github.com/bawwab/bawwab"
)

var fuzzChannels = []string{"3030", "5050", "4545", "7070"}

// FuzzHandle: any text, to any channel, is handled without panic, the same
// way twice, with a reply in both languages within two parts, and the
// oppositions agree with the kind.
func FuzzHandle(f *testing.F) {
	for _, c := range moCases {
		for i, ch := range fuzzChannels {
			if ch == c.to {
				f.Add(c.text, uint8(i))
			}
		}
	}
	f.Add("STOP \u200bATLAS\u200fMKT", uint8(0))
	f.Add("ST0P ٥٠٥٠", uint8(0))
	f.Add("\xff\xfe STOP", uint8(1))
	f.Add("STOP a, b, c, d, e", uint8(0))
	d := testDirectory(f)
	f.Fuzz(func(t *testing.T, text string, ch uint8) {
		m := MO{From: testNumber, To: fuzzChannels[int(ch)%len(fuzzChannels)], Text: text, At: testTime}
		r, err := d.Handle(m)
		if err != nil {
			t.Fatalf("Handle(%q): %v", text, err)
		}
		again, err := d.Handle(m)
		if err != nil || !reflect.DeepEqual(r, again) {
			t.Fatalf("Handle(%q) twice: %+v, then %+v (%v)", text, r, again, err)
		}
		checkReply(t, text, r.Reply)
		if len(r.Oppositions) > 0 && (r.Kind != KindStop && r.Kind != KindStart || r.Issue != IssueNone) {
			t.Fatalf("Handle(%q): oppositions %+v with kind %v, issue %v", text, r.Oppositions, r.Kind, r.Issue)
		}
		if (r.Kind == KindStop || r.Kind == KindStart) && r.Issue == IssueNone && len(r.Oppositions) == 0 {
			t.Fatalf("Handle(%q): a %v with no opposition", text, r.Kind)
		}
		want := bawwab.ActionStop
		if r.Kind == KindStart {
			want = bawwab.ActionStart
		}
		for _, o := range r.Oppositions {
			if o.Action != want || o.MSISDN != m.From || !o.At.Equal(m.At) || o.Channel != m.To {
				t.Fatalf("Handle(%q): opposition %+v", text, o)
			}
		}
	})
}

// FuzzResolve: any name resolves without panic, the same way twice, and a
// resolved brand is one of the directory's.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"Atlas Market", "atlas", "أطلس ماركت", "5050", "atlsa mrket", "", "\xff", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"} {
		f.Add(s)
	}
	d := testDirectory(f)
	scopes := map[bawwab.Scope]bool{}
	for _, b := range d.Brands() {
		scopes[b.Scope] = true
	}
	f.Fuzz(func(t *testing.T, name string) {
		r := d.Resolve(name)
		if again := d.Resolve(name); !reflect.DeepEqual(r, again) {
			t.Fatalf("Resolve(%q) twice: %+v, then %+v", name, r, again)
		}
		if r.Resolved() && !scopes[r.Brand.Scope] {
			t.Fatalf("Resolve(%q) = %+v: not a brand of the directory", name, r)
		}
		if r.Ambiguous() && (len(r.Candidates) < 2 || len(r.Candidates) > maxCandidates) {
			t.Fatalf("Resolve(%q): %d candidates", name, len(r.Candidates))
		}
	})
}
