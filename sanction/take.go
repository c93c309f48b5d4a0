package sanction

import (
	"context"

	"github.com/bawwab/bawwab"
)

// Take takes a measure by hand: a regulator's decision on the console or
// the API, with its reason. Only a regulator may. Like a measure raised by
// a threshold, it applies on this node at once (OnChange, Status) and on
// every other through the store, is recorded in the ledger and notified to
// the provider; a throttle without a rate gets the configured one.
func (m *Monitor) Take(ctx context.Context, providerID string, kind bawwab.MeasureKind, rate float64, by bawwab.Actor, reason string) (*bawwab.Measure, error) {
	if err := by.Validate(); err != nil {
		return nil, err
	}
	if by.Role != bawwab.RoleRegulator {
		return nil, bawwab.Errorf(bawwab.EFORBIDDEN, "only a regulator takes a measure by hand (actor %s)", by)
	}
	if kind == bawwab.MeasureThrottle && rate == 0 {
		rate = m.cfg.ThrottleRate
	}
	meas := &bawwab.Measure{
		ProviderID: providerID, Kind: kind, Rate: rate, At: m.now(), Actor: by, Reason: reason,
		LedgerIndex: -1, LiftLedgerIndex: -1,
	}
	if err := meas.Validate(); err != nil {
		return nil, err
	}
	n := notice(meas, false)
	if err := m.o.Measures.CreateMeasure(ctx, meas, n); err != nil {
		return nil, err
	}
	m.log.Warn("measure taken by hand", "provider", providerID, "measure", kind, "id", meas.ID, "actor", by.String())
	if err := m.appendLedger(ctx, meas, false); err != nil {
		m.log.Error("sanction: ledger append failed; the entry stays pending", "measure", meas.ID, "err", err)
	}
	if err := m.refreshProvider(ctx, providerID); err != nil {
		return meas, err
	}
	m.deliver(ctx, n)
	return meas, nil
}
