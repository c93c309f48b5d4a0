package optout

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/bawwab/bawwab"
)

// Recorder is the opposition register as the gateway and the subscriber
// pages write to it: RecordOpposition stores the event, appends its entry to
// the audit ledger, then brings it into force in the index, so that when it
// returns the next submission to the number is already refused (RULES.md:
// the opposition is in force before the confirmation is sent). The other
// methods pass through to the store.
//
// The index must see the register's changes in sequence order, and other
// writers (another node, the web pages of another process) may have recorded
// changes the index has not applied yet: after storing its event, the
// Recorder catches the index up with every change after the index's
// sequence number, its own event included, rather than applying its event
// alone and skipping the others.
type Recorder struct {
	svc    bawwab.OppositionService
	ix     *Index
	ledger bawwab.LedgerService

	mu sync.Mutex // serialises the catch-ups of the index
}

var _ bawwab.OppositionService = (*Recorder)(nil)

// NewRecorder returns a Recorder writing to svc, the ledger l (nil: no
// ledger entry, for tools without one) and the index ix.
func NewRecorder(svc bawwab.OppositionService, ix *Index, l bawwab.LedgerService) *Recorder {
	return &Recorder{svc: svc, ix: ix, ledger: l}
}

// OppositionEntry returns the ledger entry that records an opposition
// event.
func OppositionEntry(o *bawwab.Opposition) *bawwab.LedgerEntry {
	return &bawwab.LedgerEntry{
		Kind:    bawwab.EntryOpposition,
		Time:    o.At,
		MSISDN:  o.MSISDN,
		Action:  o.Action.String(),
		Subject: o.Scope.String(),
		Channel: o.Channel,
		Detail:  fmt.Sprintf("seq %d", o.Seq),
	}
}

// RecordOpposition stores o (setting its Seq and At), appends its ledger
// entry and applies it, with any change before it, to the index. An error
// after the store accepted the event says which step failed; the event is
// then in the register, and the change feed will bring it to the index.
func (r *Recorder) RecordOpposition(ctx context.Context, o *bawwab.Opposition) error {
	if err := r.svc.RecordOpposition(ctx, o); err != nil {
		return err
	}
	// The event is in the register: its ledger entry and the index must
	// follow even if the caller's context ends now (a shutdown, a client
	// gone), within a bound.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if r.ledger != nil {
		if _, err := r.ledger.Append(ctx, OppositionEntry(o)); err != nil {
			return fmt.Errorf("opposition %d recorded, ledger entry failed: %w", o.Seq, err)
		}
	}
	if err := r.catchUp(ctx, o.Seq); err != nil {
		return fmt.Errorf("opposition %d recorded, index not updated: %w", o.Seq, err)
	}
	return nil
}

// catchUp applies the register's changes after the index's sequence number,
// up to seq at least.
func (r *Recorder) catchUp(ctx context.Context, seq int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ix.Seq() >= seq {
		return nil
	}
	for op, err := range r.svc.StreamOppositions(ctx, r.ix.Seq()) {
		if err != nil {
			return err
		}
		if _, err := r.ix.Apply(op); err != nil {
			return err
		}
	}
	if r.ix.Seq() < seq {
		return fmt.Errorf("change %d not in the register's stream (index at %d)", seq, r.ix.Seq())
	}
	return nil
}

// ImportOppositions passes through to the store; the change feed brings the
// imported events to the index.
func (r *Recorder) ImportOppositions(ctx context.Context, events iter.Seq2[bawwab.Opposition, error]) (bawwab.ImportResult, error) {
	return r.svc.ImportOppositions(ctx, events)
}

func (r *Recorder) FindOppositions(ctx context.Context, f bawwab.OppositionFilter) ([]*bawwab.Opposition, error) {
	return r.svc.FindOppositions(ctx, f)
}

func (r *Recorder) FindOppositionsInForce(ctx context.Context, msisdn string) ([]*bawwab.Opposition, error) {
	return r.svc.FindOppositionsInForce(ctx, msisdn)
}

func (r *Recorder) StreamOppositions(ctx context.Context, afterSeq int64) iter.Seq2[bawwab.Opposition, error] {
	return r.svc.StreamOppositions(ctx, afterSeq)
}

func (r *Recorder) StreamOppositionStates(ctx context.Context, sinceSeq int64) iter.Seq2[bawwab.Opposition, error] {
	return r.svc.StreamOppositionStates(ctx, sinceSeq)
}
