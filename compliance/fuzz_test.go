package compliance

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

// FuzzDecide decides random submissions — text, sender, recipient,
// account, declared category, time, modes — on two engines that see the
// same submissions in the same order: nothing panics, every result keeps
// the invariants of checkResult, and both engines decide alike.
func FuzzDecide(f *testing.F) {
	f.Add(textOK, "ATLASMKT", iamNumber, "atlas", uint8(0), int64(0), uint16(0))
	f.Add(textMissing, "ATLASMKT", "+212 6 11 22 33 44", "atlas", uint8(1), int64(13*3600), uint16(1<<R4))
	f.Add(textPromo, "KECHLIVR", orangeNumber, "atlas", uint8(2), int64(-9*3600), uint16(0))
	f.Add(textReply, "5050", "0611 22 33 4", "warn", uint8(0), int64(86400*30), uint16(0x3fe))
	f.Add("", "", "", "", uint8(3), int64(-1<<40), uint16(0xffff))
	f.Add(textKech, "KECHSHOP", "+33612345678", "iamsmpp", uint8(1), int64(1<<40), uint16(1<<R3|1<<R7))
	if fh, err := os.Open("testdata/optout-public.jsonl"); err == nil {
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for i := 0; sc.Scan() && i < 40; i++ {
			var c corpusCase
			if json.Unmarshal(sc.Bytes(), &c) == nil {
				f.Add(c.Text, c.Sender, inwiNumber, "atlas", uint8(i%3), int64(i*3571), uint16(i*37))
			}
		}
		fh.Close()
	}

	a, b := newTestEnv(f, DefaultConfig()), newTestEnv(f, DefaultConfig())
	for _, e := range []*testEnv{a, b} {
		e.opp.stop(f, bawwab.NationalScope, number(f, iamNumber))
		e.opp.stop(f, bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "kech-shop"}, number(f, orangeNumber))
		must(f, e.ops.Port(number(f, "0611998877"), msisdn.Orange))
	}
	accounts := []string{"atlas", "atlas", "atlas", "warn", "throttle", "susp", "new", "iamsmpp", "atlas-off", "other"}
	senders := []string{"ATLASMKT", "ATLASMKT", "5050", "KECHSHOP", "KECHLIVR", "KECHLIVR", "BANQSUD", "WARNMKT", "IAMPROMO", "SOUKDEAL", "NOCAT", "DROPPED"}
	f.Fuzz(func(t *testing.T, text, snd, recipient, acct string, cat uint8, offset int64, monitored uint16) {
		// Mostly registered accounts and sender IDs, so that the fuzzer
		// reaches the rules after R2; the strings as given otherwise.
		if cat&0x80 == 0 {
			acct = accounts[int(cat>>4)%len(accounts)]
			snd = senders[int(offset&0xff)%len(senders)]
		}
		cfg := DefaultConfig()
		for r := R1; r <= NumRules; r++ {
			if monitored&(1<<r) != 0 {
				cfg.Rules.Set(r, RuleMode{Mode: bawwab.Monitor})
			}
		}
		cfg.ForeignRecipients = monitored&1 != 0
		if monitored&(1<<10) != 0 {
			cfg.QuietHours = QuietReject
		}
		if monitored&(1<<11) != 0 {
			cfg.Mislabelled = MislabelledReject
		}
		var results [2]Result
		for i, e := range []*testEnv{a, b} {
			if e.eng.RuleSet() != cfg.Version() {
				must(t, e.eng.SetConfig(cfg))
			}
			s := Submission{
				AccountID: acct,
				Sender:    snd,
				Text:      text,
				Category:  bawwab.Category(cat % 4),
				Time:      tuesday.Add(time.Duration(offset%(1<<32)) * time.Second),
			}
			e.to(recipient)(e, &s)
			results[i] = e.eng.Decide(&s)
			r := &results[i]
			checkResult(t, "fuzz", &s, r)
			_ = r.Explain()
		}
		if x, y := &results[0], &results[1]; !sameResult(x, y) {
			t.Fatalf("two engines disagree:\n%s\n%s", x.Explain(), y.Explain())
		}
	})
}

// sameResult reports whether two results say the same (the times of a
// deferral compared as instants).
func sameResult(x, y *Result) bool {
	dx, dy := x.Decision, y.Decision
	if !dx.Until.Equal(dy.Until) {
		return false
	}
	dx.Until, dy.Until = time.Time{}, time.Time{}
	return dx == dy && x.Rule == y.Rule && x.Detail == y.Detail && x.Findings == y.Findings &&
		x.Category == y.Category && x.AdvertiserID == y.AdvertiserID && x.ProviderID == y.ProviderID &&
		x.Reservation == y.Reservation && x.TextChecked == y.TextChecked && x.Text.Verdict == y.Text.Verdict
}

// corpusCase is a line of testdata/optout-public.jsonl, copied from
// /work/shared/corpus: texts of every kind with the verdict textcheck owes
// them.
type corpusCase struct {
	ID             string `json:"id"`
	Sender         string `json:"sender"`
	SenderCategory string `json:"sender_category"`
	Channels       []struct {
		Code string `json:"code"`
		Free bool   `json:"free"`
	} `json:"optout_channels"`
	Text   string `json:"text"`
	Expect string `json:"expect"`
}
