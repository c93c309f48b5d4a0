package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func tally(hour time.Time, provider, operator string, kind bawwab.EntryKind, outcome bawwab.Outcome, reason bawwab.Reason, action string, n int64) bawwab.Tally {
	y, m, d := hour.Date()
	return bawwab.Tally{Hour: hour, Day: time.Date(y, m, d, 0, 0, 0, 0, time.UTC), ProviderID: provider, OperatorID: operator,
		Kind: kind, Category: bawwab.CategoryCommercial, Outcome: outcome, Reason: reason, Action: action, N: n}
}

// testReports checks the aggregates: batches applied exactly once at the
// feed mark, sums grouped by any dimensions with filters, hourly and daily,
// the delivery index, the reset before a rebuild, and tenancy.
func testReports(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	rs := st.Reports
	h0 := time.Date(2025, 6, 1, 22, 0, 0, 0, time.UTC) // two days: the 1st and the 2nd of June
	h1, h2 := h0.Add(time.Hour), h0.Add(2*time.Hour)
	dec := bawwab.EntryDecision

	mark, err := rs.FeedMark(ctx, "node1")
	must(t, err)
	if mark != 0 {
		t.Fatalf("mark of a ledger never fed: %d", mark)
	}
	p1, p2 := pseudonym(1, 1), pseudonym(1, 2)
	b1 := &bawwab.FeedBatch{Origin: "node1", From: 0, To: 100, Tallies: []bawwab.Tally{
		tally(h0, "atlasvas", "iam", dec, bawwab.Accept, "", "", 60),
		tally(h0, "atlasvas", "iam", dec, bawwab.Reject, bawwab.ReasonOptOutMentionMissing, "", 10),
		tally(h1, "atlasvas", "orange", dec, bawwab.Accept, "", "", 20),
		tally(h1, "rifdigital", "inwi", dec, bawwab.Reject, bawwab.ReasonRecipientOptedOut, "", 5),
		tally(h1, "", "", bawwab.EntryOpposition, 0, "", "stop", 5),
	}, Deliveries: []bawwab.Delivery{
		{Origin: "node1", Index: 3, Time: h0.Add(5 * time.Minute), Recipient: p1},
		{Origin: "node1", Index: 7, Time: h0.Add(9 * time.Minute), Recipient: p2},
		{Origin: "node1", Index: 90, Time: h1.Add(30 * time.Minute), Recipient: p1},
	}}
	must(t, rs.ApplyFeed(ctx, b1))
	// A batch that does not start at the mark is refused: nothing counts
	// twice.
	wantCode(t, rs.ApplyFeed(ctx, b1), bawwab.ECONFLICT)
	wantCode(t, rs.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "node1", From: 150, To: 160}), bawwab.ECONFLICT)
	b2 := &bawwab.FeedBatch{Origin: "node1", From: 100, To: 130, Tallies: []bawwab.Tally{
		tally(h0, "atlasvas", "iam", dec, bawwab.Accept, "", "", 15), // the same key as in b1: added
		tally(h2, "atlasvas", "iam", dec, bawwab.Defer, bawwab.ReasonQuietHours, "", 15),
	}}
	must(t, rs.ApplyFeed(ctx, b2))
	// Another ledger has its own mark.
	must(t, rs.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "node2", From: 0, To: 1, Tallies: []bawwab.Tally{
		tally(h2, "rifdigital", "inwi", dec, bawwab.Accept, "", "", 1)}}))
	for origin, want := range map[string]int64{"node1": 130, "node2": 1, "node3": 0} {
		mark, err := rs.FeedMark(ctx, origin)
		must(t, err)
		if mark != want {
			t.Errorf("mark of %s: %d, want %d", origin, mark, want)
		}
	}

	agg := func(q bawwab.AggregateQuery) []bawwab.Tally {
		t.Helper()
		ts, err := rs.Aggregate(ctx, q)
		must(t, err)
		return ts
	}
	t.Run("Sums", func(t *testing.T) {
		deepEqual(t, "everything", agg(bawwab.AggregateQuery{}), []bawwab.Tally{{N: 131}})
		deepEqual(t, "per hour", agg(bawwab.AggregateQuery{GroupBy: []bawwab.AggregateDim{bawwab.DimTime}}),
			[]bawwab.Tally{{Hour: h0, N: 85}, {Hour: h1, N: 30}, {Hour: h2, N: 16}})
		deepEqual(t, "per day", agg(bawwab.AggregateQuery{Daily: true, GroupBy: []bawwab.AggregateDim{bawwab.DimTime}}),
			[]bawwab.Tally{{Day: h0.Truncate(24 * time.Hour), N: 115}, {Day: h2.Truncate(24 * time.Hour), N: 16}})
		deepEqual(t, "per provider and outcome, decisions", agg(bawwab.AggregateQuery{Kinds: []bawwab.EntryKind{dec},
			GroupBy: []bawwab.AggregateDim{bawwab.DimProvider, bawwab.DimOutcome}}),
			[]bawwab.Tally{
				{ProviderID: "atlasvas", Outcome: bawwab.Accept, N: 95}, {ProviderID: "atlasvas", Outcome: bawwab.Reject, N: 10},
				{ProviderID: "atlasvas", Outcome: bawwab.Defer, N: 15},
				{ProviderID: "rifdigital", Outcome: bawwab.Accept, N: 1}, {ProviderID: "rifdigital", Outcome: bawwab.Reject, N: 5},
			})
		deepEqual(t, "by reason, one provider, one operator", agg(bawwab.AggregateQuery{Daily: true, ProviderID: "atlasvas", OperatorID: "iam",
			GroupBy: []bawwab.AggregateDim{bawwab.DimReason}}),
			[]bawwab.Tally{{N: 75}, {Reason: bawwab.ReasonOptOutMentionMissing, N: 10}, {Reason: bawwab.ReasonQuietHours, N: 15}})
		deepEqual(t, "hours [h1, h2)", agg(bawwab.AggregateQuery{From: h1, To: h2, GroupBy: []bawwab.AggregateDim{bawwab.DimKind, bawwab.DimAction}}),
			[]bawwab.Tally{{Kind: dec, N: 25}, {Kind: bawwab.EntryOpposition, Action: "stop", N: 5}})
		deepEqual(t, "every dimension", agg(bawwab.AggregateQuery{From: h1, To: h2, ProviderID: "rifdigital",
			GroupBy: []bawwab.AggregateDim{bawwab.DimTime, bawwab.DimProvider, bawwab.DimOperator, bawwab.DimKind, bawwab.DimCategory,
				bawwab.DimOutcome, bawwab.DimReason, bawwab.DimFlag, bawwab.DimMode, bawwab.DimAction}}),
			[]bawwab.Tally{{Hour: h1, ProviderID: "rifdigital", OperatorID: "inwi", Kind: dec, Category: bawwab.CategoryCommercial,
				Outcome: bawwab.Reject, Reason: bawwab.ReasonRecipientOptedOut, N: 5}})
		if ts := agg(bawwab.AggregateQuery{ProviderID: "nobody", GroupBy: []bawwab.AggregateDim{bawwab.DimTime}}); len(ts) != 0 {
			t.Errorf("an unknown provider has aggregates: %v", ts)
		}
	})

	t.Run("Deliveries", func(t *testing.T) {
		ds, err := st.Complaints.FindDeliveries(ctx, []bawwab.Pseudonym{pseudonym(9, 1), p1}, h0, h2, 0)
		must(t, err)
		deepEqual(t, "deliveries to p1", ds, []bawwab.Delivery{
			{Origin: "node1", Index: 3, Time: h0.Add(5 * time.Minute), Recipient: p1},
			{Origin: "node1", Index: 90, Time: h1.Add(30 * time.Minute), Recipient: p1},
		})
		ds, err = st.Complaints.FindDeliveries(ctx, []bawwab.Pseudonym{p1}, h0.Add(10*time.Minute), time.Time{}, 0)
		must(t, err)
		if len(ds) != 1 || ds[0].Index != 90 {
			t.Fatalf("deliveries in a window: %v", ds)
		}
		ds, err = st.Complaints.FindDeliveries(ctx, []bawwab.Pseudonym{pseudonym(1, 3)}, time.Time{}, time.Time{}, 0)
		must(t, err)
		if len(ds) != 0 {
			t.Fatalf("deliveries to someone else: %v", ds)
		}
		n, err := rs.PurgeDeliveries(ctx, h0.Add(10*time.Minute))
		must(t, err)
		if n != 2 {
			t.Fatalf("purged %d deliveries, want 2", n)
		}
		ds, err = st.Complaints.FindDeliveries(ctx, []bawwab.Pseudonym{p1, p2}, time.Time{}, time.Time{}, 0)
		must(t, err)
		if len(ds) != 1 {
			t.Fatalf("%d deliveries after the purge", len(ds))
		}
	})

	t.Run("Tenancy", func(t *testing.T) {
		pctx := bawwab.NewContextWithProvider(ctx, "rifdigital")
		ts, err := rs.Aggregate(pctx, bawwab.AggregateQuery{GroupBy: []bawwab.AggregateDim{bawwab.DimProvider}})
		must(t, err)
		deepEqual(t, "a provider's aggregates", ts, []bawwab.Tally{{ProviderID: "rifdigital", N: 6}})
		ts, err = rs.Aggregate(pctx, bawwab.AggregateQuery{ProviderID: "atlasvas"})
		must(t, err)
		if len(ts) != 0 {
			t.Fatalf("a provider reads another's aggregates: %v", ts)
		}
		wantCode(t, rs.ApplyFeed(pctx, &bawwab.FeedBatch{Origin: "node1", From: 130, To: 131}), bawwab.EFORBIDDEN)
		_, err = rs.FeedMark(pctx, "node1")
		wantCode(t, err, bawwab.EFORBIDDEN)
		wantCode(t, rs.ResetFeed(pctx), bawwab.EFORBIDDEN)
	})

	t.Run("Reset", func(t *testing.T) {
		must(t, rs.ResetFeed(ctx))
		if ts := agg(bawwab.AggregateQuery{}); len(ts) != 0 {
			t.Fatalf("aggregates after a reset: %v", ts)
		}
		mark, err := rs.FeedMark(ctx, "node1")
		must(t, err)
		if mark != 0 {
			t.Fatalf("mark after a reset: %d", mark)
		}
		ds, err := st.Complaints.FindDeliveries(ctx, []bawwab.Pseudonym{p1, p2}, time.Time{}, time.Time{}, 0)
		must(t, err)
		if len(ds) != 0 {
			t.Fatalf("deliveries after a reset: %v", ds)
		}
		must(t, rs.ApplyFeed(ctx, &bawwab.FeedBatch{Origin: "node1", From: 0, To: 1, Tallies: []bawwab.Tally{tally(h0, "atlasvas", "iam", dec, bawwab.Accept, "", "", 1)}}))
	})
}
