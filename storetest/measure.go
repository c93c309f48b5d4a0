package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func measure(provider string, kind bawwab.MeasureKind, at time.Time) *bawwab.Measure {
	m := &bawwab.Measure{ProviderID: provider, Kind: kind, Rule: "confirmed-complaints", Count: 5, Window: 240 * time.Hour,
		At: at, Actor: bawwab.Actor{Name: "sanction-monitor", Role: bawwab.RoleSystem},
		Reason: "rule confirmed-complaints: 5 confirmed complaints in 240h0m0s", Refs: []int64{12, 40}, LedgerIndex: -1, LiftLedgerIndex: -1}
	if kind == bawwab.MeasureThrottle {
		m.Rate = 10
	}
	return m
}

// providerStatus reads a provider's status.
func providerStatus(t testing.TB, st bawwab.Store, id string) bawwab.ProviderStatus {
	t.Helper()
	p, err := st.Registry.FindProviderByID(context.Background(), id)
	must(t, err)
	return p.Status
}

// testMeasures checks measures: taking one sets the provider's status and
// puts the change on the feed, in the same transaction as the measure and
// its notification; only a regulator lifts, and the status falls back to
// the strongest measure still in force; notifications carry the webhook.
func testMeasures(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	ms := st.Measures
	at := epoch.Add(72 * time.Hour)

	wantCode(t, ms.SetWebhook(ctx, "atlasvas", "http://example.com/hook"), bawwab.EINVALID)
	wantCode(t, ms.SetWebhook(ctx, "atlasvas", "ftp://example.com/hook"), bawwab.EINVALID)
	wantCode(t, ms.SetWebhook(ctx, "nobody", "https://example.com/hook"), bawwab.EINVALID)
	must(t, ms.SetWebhook(ctx, "atlasvas", "https://hooks.atlasvas.ma/bawwab"))
	must(t, ms.SetWebhook(ctx, "atlasvas", "https://hooks.atlasvas.ma/bawwab/v2"))
	url, err := ms.FindWebhook(ctx, "atlasvas")
	must(t, err)
	if url != "https://hooks.atlasvas.ma/bawwab/v2" {
		t.Fatalf("webhook %q", url)
	}
	_, err = ms.FindWebhook(ctx, "rifdigital")
	wantCode(t, err, bawwab.ENOTFOUND)

	seq := lastSeq(t, st)
	warn := measure("atlasvas", bawwab.MeasureWarning, at)
	n1 := &bawwab.Notification{Subject: "warning", Body: "3 confirmed complaints"}
	must(t, ms.CreateMeasure(ctx, warn, n1))
	if warn.ID == 0 || n1.ID == 0 || n1.MeasureID != warn.ID || n1.ProviderID != "atlasvas" || n1.Webhook != "https://hooks.atlasvas.ma/bawwab/v2" {
		t.Fatalf("measure %d, notification %+v", warn.ID, n1)
	}
	if s := providerStatus(t, st, "atlasvas"); s != bawwab.ProviderWarned {
		t.Fatalf("status after a warning: %s", s)
	}
	susp := measure("atlasvas", bawwab.MeasureSuspension, at.Add(time.Hour))
	must(t, ms.CreateMeasure(ctx, susp, &bawwab.Notification{Subject: "suspension", Body: "5 confirmed complaints"}))
	if s := providerStatus(t, st, "atlasvas"); s != bawwab.ProviderSuspended {
		t.Fatalf("status after a suspension: %s", s)
	}
	// The change feed carries the new statuses to every node.
	var statuses []bawwab.ProviderStatus
	for _, c := range allChanges(t, st, seq, 0) {
		if p, ok := c.Record.(*bawwab.Provider); ok && p.ID == "atlasvas" {
			statuses = append(statuses, p.Status)
		}
	}
	deepEqual(t, "provider changes on the feed", statuses, []bawwab.ProviderStatus{bawwab.ProviderWarned, bawwab.ProviderSuspended})

	got, err := ms.FindMeasureByID(ctx, susp.ID)
	must(t, err)
	deepEqual(t, "measure read back", got, susp)
	_, err = ms.FindMeasureByID(ctx, 999999)
	wantCode(t, err, bawwab.ENOTFOUND)

	t.Run("Invalid", func(t *testing.T) {
		for name, m := range map[string]*bawwab.Measure{
			"unknown provider": measure("nobody", bawwab.MeasureWarning, at),
			"throttle no rate": func() *bawwab.Measure { m := measure("atlasvas", bawwab.MeasureThrottle, at); m.Rate = 0; return m }(),
			"no reason":        func() *bawwab.Measure { m := measure("atlasvas", bawwab.MeasureWarning, at); m.Reason = ""; return m }(),
			"no kind":          measure("atlasvas", 0, at),
		} {
			if err := ms.CreateMeasure(ctx, m, nil); bawwab.ErrorCode(err) != bawwab.EINVALID {
				t.Errorf("%s: %v, want invalid", name, err)
			}
		}
	})

	thr := measure("rifdigital", bawwab.MeasureThrottle, at.Add(2*time.Hour))
	must(t, ms.CreateMeasure(ctx, thr, nil))
	if s := providerStatus(t, st, "rifdigital"); s != bawwab.ProviderThrottled {
		t.Fatalf("rifdigital after a throttle: %s", s)
	}

	mids := func(list []*bawwab.Measure, n int, err error) []int64 {
		t.Helper()
		must(t, err)
		out := []int64{}
		for _, m := range list {
			out = append(out, m.ID)
		}
		return out
	}
	t.Run("Filters", func(t *testing.T) {
		deepEqual(t, "all", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{})), []int64{thr.ID, susp.ID, warn.ID})
		deepEqual(t, "provider", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{ProviderID: ptr("atlasvas")})), []int64{susp.ID, warn.ID})
		deepEqual(t, "kind", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{Kind: ptr(bawwab.MeasureThrottle)})), []int64{thr.ID})
		deepEqual(t, "active", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{Active: ptr(true)})), []int64{thr.ID, susp.ID, warn.ID})
		deepEqual(t, "time", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{Since: at.Add(time.Hour), Before: at.Add(2 * time.Hour)})), []int64{susp.ID})
		deepEqual(t, "pending", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{PendingLedger: true})), []int64{thr.ID, susp.ID, warn.ID})
	})

	t.Run("Lift", func(t *testing.T) {
		n := &bawwab.Notification{Subject: "lifted", Body: "lifted"}
		for _, by := range []bawwab.Actor{providerA, operatorA, system} {
			_, err := ms.LiftMeasure(ctx, susp.ID, at.Add(3*time.Hour), by, "the provider cleaned its lists", n)
			wantCode(t, err, bawwab.EFORBIDDEN)
		}
		_, err := ms.LiftMeasure(ctx, susp.ID, at.Add(3*time.Hour), regulator, "", n)
		wantCode(t, err, bawwab.EINVALID)
		if s := providerStatus(t, st, "atlasvas"); s != bawwab.ProviderSuspended {
			t.Fatalf("a refused lift changed the status to %s", s)
		}
		m, err := ms.LiftMeasure(ctx, susp.ID, at.Add(3*time.Hour), regulator, "the provider cleaned its lists", n)
		must(t, err)
		if m.Active() || m.LiftedBy != regulator || m.LiftReason == "" || !m.LiftedAt.Equal(at.Add(3*time.Hour)) {
			t.Fatalf("lifted measure %+v", m)
		}
		if n.ID == 0 || n.MeasureID != susp.ID {
			t.Fatalf("lift notification %+v", n)
		}
		// The warning is still in force.
		if s := providerStatus(t, st, "atlasvas"); s != bawwab.ProviderWarned {
			t.Fatalf("status after lifting the suspension: %s, want warned", s)
		}
		_, err = ms.LiftMeasure(ctx, susp.ID, at.Add(4*time.Hour), regulator, "again", nil)
		wantCode(t, err, bawwab.ECONFLICT)
		_, err = ms.LiftMeasure(ctx, 999999, at, regulator, "x", nil)
		wantCode(t, err, bawwab.ENOTFOUND)
		_, err = ms.LiftMeasure(ctx, warn.ID, at.Add(4*time.Hour), regulator, "one month without complaints", nil)
		must(t, err)
		if s := providerStatus(t, st, "atlasvas"); s != bawwab.ProviderActive {
			t.Fatalf("status with no measure in force: %s", s)
		}
		deepEqual(t, "active", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{Active: ptr(true)})), []int64{thr.ID})
		deepEqual(t, "lifted", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{Active: ptr(false)})), []int64{susp.ID, warn.ID})
		deepEqual(t, "lifted since", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{LiftedSince: at.Add(3*time.Hour + time.Minute)})), []int64{warn.ID})
	})

	t.Run("Outbox", func(t *testing.T) {
		must(t, ms.SetMeasureLedgerIndex(ctx, warn.ID, false, "node1", 50))
		must(t, ms.SetMeasureLedgerIndex(ctx, warn.ID, true, "node1", 60))
		must(t, ms.SetMeasureLedgerIndex(ctx, susp.ID, false, "node1", 51))
		must(t, ms.SetMeasureLedgerIndex(ctx, thr.ID, false, "node1", 52))
		wantCode(t, ms.SetMeasureLedgerIndex(ctx, thr.ID, true, "node1", 53), bawwab.ENOTFOUND) // not lifted
		// The suspension's lift is still pending.
		deepEqual(t, "pending", mids(ms.FindMeasures(ctx, bawwab.MeasureFilter{PendingLedger: true})), []int64{susp.ID})
		m, err := ms.FindMeasureByID(ctx, warn.ID)
		must(t, err)
		if m.LedgerIndex != 50 || m.LiftLedgerIndex != 60 || m.Origin != "node1" || m.LiftOrigin != "node1" {
			t.Fatalf("ledger indexes %+v", m)
		}
	})

	t.Run("Notifications", func(t *testing.T) {
		list, n, err := ms.FindNotifications(ctx, bawwab.NotificationFilter{ProviderID: ptr("atlasvas")})
		must(t, err)
		if n != 3 || len(list) != 3 || list[2].ID != n1.ID {
			t.Fatalf("%d notifications of atlasvas", n)
		}
		undelivered, _, err := ms.FindNotifications(ctx, bawwab.NotificationFilter{Undelivered: true})
		must(t, err)
		if len(undelivered) != 3 {
			t.Fatalf("%d undelivered, want the 3 with a webhook", len(undelivered))
		}
		must(t, ms.MarkNotification(ctx, n1.ID, time.Time{}, "webhook answered 503"))
		must(t, ms.MarkNotification(ctx, n1.ID, at.Add(time.Minute), ""))
		wantCode(t, ms.MarkNotification(ctx, 999999, at, ""), bawwab.ENOTFOUND)
		list, _, err = ms.FindNotifications(ctx, bawwab.NotificationFilter{MeasureID: &warn.ID})
		must(t, err)
		got := list[len(list)-1]
		if got.Attempts != 2 || !got.DeliveredAt.Equal(at.Add(time.Minute)) || got.LastError != "" {
			t.Fatalf("after delivery %+v", got)
		}
		undelivered, _, err = ms.FindNotifications(ctx, bawwab.NotificationFilter{Undelivered: true})
		must(t, err)
		if len(undelivered) != 2 {
			t.Fatalf("%d undelivered after one delivery", len(undelivered))
		}
	})

	t.Run("Tenancy", func(t *testing.T) {
		pctx := bawwab.NewContextWithProvider(ctx, "rifdigital")
		deepEqual(t, "a provider's measures", mids(ms.FindMeasures(pctx, bawwab.MeasureFilter{})), []int64{thr.ID})
		deepEqual(t, "another's, filtered", mids(ms.FindMeasures(pctx, bawwab.MeasureFilter{ProviderID: ptr("atlasvas")})), []int64{})
		_, err := ms.FindMeasureByID(pctx, susp.ID)
		wantCode(t, err, bawwab.ENOTFOUND)
		list, _, err := ms.FindNotifications(pctx, bawwab.NotificationFilter{})
		must(t, err)
		if len(list) != 0 {
			t.Fatalf("rifdigital sees %d notifications of atlasvas", len(list))
		}
		wantCode(t, ms.CreateMeasure(pctx, measure("rifdigital", bawwab.MeasureWarning, at), nil), bawwab.EFORBIDDEN)
		_, err = ms.LiftMeasure(pctx, thr.ID, at, regulator, "x", nil)
		wantCode(t, err, bawwab.EFORBIDDEN)
		must(t, ms.SetWebhook(pctx, "rifdigital", "https://rif.ma/hook"))
		wantCode(t, ms.SetWebhook(pctx, "atlasvas", "https://rif.ma/hook"), bawwab.ENOTFOUND)
		_, err = ms.FindWebhook(pctx, "atlasvas")
		wantCode(t, err, bawwab.ENOTFOUND)
	})
}
