// Package reporttest generates the aggregates of a large ledger, for the
// benchmarks of the reports and of the console's overview, which read them.
package reporttest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/report"
)

// SynthTallies returns the aggregates of n ledger entries spread over the
// 30 days before now: 20 providers on 3 operators, every hour, with the
// mix of a real gateway (most accepted, refusals over seven reasons,
// deferrals, flags, monitored findings), plus oppositions, complaints and
// measures. They come one day at a time, as batches of the feed.
func SynthTallies(n int64, now time.Time, fn func(day []bawwab.Tally)) {
	rnd := rand.New(rand.NewPCG(1, 2))
	type mix struct {
		outcome      bawwab.Outcome
		reason, flag bawwab.Reason
		mode         bawwab.Mode
		share        float64
	}
	mixes := []mix{
		{bawwab.Accept, "", "", bawwab.Enforce, 0.84},
		{bawwab.Accept, bawwab.ReasonNoConsent, "", bawwab.Monitor, 0.02},
		{bawwab.Accept, "", bawwab.ReasonMislabelledCommercial, bawwab.Enforce, 0.01},
		{bawwab.Defer, bawwab.ReasonQuietHours, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonOptOutMentionMissing, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonOptOutChannelInvalid, "", bawwab.Enforce, 0.01},
		{bawwab.Reject, bawwab.ReasonRecipientOptedOut, "", bawwab.Enforce, 0.03},
		{bawwab.Reject, bawwab.ReasonFrequencyCap, "", bawwab.Enforce, 0.015},
		{bawwab.Reject, bawwab.ReasonInvalidRecipient, "", bawwab.Enforce, 0.01},
		{bawwab.Reject, bawwab.ReasonSenderNotRegistered, "", bawwab.Enforce, 0.005},
		{bawwab.Reject, bawwab.ReasonProviderNotAuthorised, "", bawwab.Enforce, 0.003},
		{bawwab.Reject, bawwab.ReasonMislabelledCommercial, "", bawwab.Enforce, 0.002},
	}
	operators := []string{"iam", "orange", "inwi"}
	start := now.Truncate(time.Hour).Add(-30 * 24 * time.Hour)
	hours := int64(30 * 24)
	perCell := float64(n) / float64(hours*20*3)
	var day []bawwab.Tally
	for h := range hours {
		hour := start.Add(time.Duration(h) * time.Hour)
		local := report.LocalDate(hour, nil)
		for p := range 20 {
			provider := fmt.Sprintf("provider%02d", p)
			for _, op := range operators {
				// Busier providers and hours: a factor 0.2 to 1.8.
				f := (0.2 + 1.6*float64(p)/19) * (0.5 + rnd.Float64())
				for _, m := range mixes {
					c := int64(perCell*f*m.share + rnd.Float64())
					if c == 0 {
						continue
					}
					day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: op, Kind: bawwab.EntryDecision,
						Category: bawwab.CategoryCommercial, Outcome: m.outcome, Reason: m.reason, Flag: m.flag, Mode: m.mode, N: c})
				}
				if s := int64(perCell * 0.004 * f); s > 0 {
					day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: op, Kind: bawwab.EntryOpposition, Action: "stop", N: s})
				}
			}
			if rnd.IntN(40) == 0 {
				day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: "iam", Kind: bawwab.EntryComplaint, Action: "opened", N: 1})
			}
			if rnd.IntN(200) == 0 {
				day = append(day, bawwab.Tally{Hour: hour, Day: local, ProviderID: provider, OperatorID: "iam", Kind: bawwab.EntryComplaint, Action: "confirmed", N: 1})
			}
		}
		if h%24 == 23 {
			fn(day)
			day = day[:0]
		}
	}
	if len(day) > 0 {
		fn(day)
	}
}

// Load feeds st the aggregates of n synthetic ledger entries (see
// SynthTallies), one day a batch, and returns their total and how many
// hourly tallies they made.
func Load(tb testing.TB, st bawwab.ReportService, n int64, now time.Time) (total int64, rows int) {
	ctx := context.Background()
	var next int64
	SynthTallies(n, now, func(day []bawwab.Tally) {
		var sum int64
		for _, t := range day {
			sum += t.N
		}
		if err := st.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "bench", From: next, To: next + sum, Tallies: day}); err != nil {
			tb.Fatal(err)
		}
		next += sum
		rows += len(day)
	})
	return next, rows
}
