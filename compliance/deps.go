package compliance

import (
	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

// The engine reads the state that changes between decisions — oppositions,
// consents, frequency counters — through the small interfaces below, so
// that the rules stay pure and each store can be plugged in through a thin
// adapter. Every method is called on the hot path unless its comment says
// otherwise: implementations must be safe for concurrent use, take no
// blocking lock for long, and not allocate.

// Oppositions is the opposition register as R5 reads it. The optout
// package's *Index satisfies it through IndexOppositions.
type Oppositions interface {
	// Resolve returns the handle the implementation wants for a provider
	// or advertiser scope. It is called when a view or an index is bound
	// to the engine, never per decision, and must know scopes with no
	// opposition yet, so that a STOP recorded later is seen through the
	// handle already given.
	Resolve(s bawwab.Scope) (uint32, error)
	// Opposed tells whether n opposed all commercial SMS, the provider
	// (handle prov) or the advertiser (handle adv), and which scope it
	// found first. A zero handle means no such scope: only the others are
	// checked. A number the index cannot read must be reported opposed.
	Opposed(n msisdn.Number, adv, prov uint32) (by bawwab.ScopeKind, opposed bool)
}

// Consents is the register of consents and existing-customer records, as
// R6 reads it when consent mode is on.
type Consents interface {
	// Consented reports whether a consent or existing-customer record that
	// has not lapsed exists for n and the advertiser.
	Consented(n msisdn.Number, advertiserID string) bool
}

// Counters keeps the per-recipient daily counts of commercial messages
// (R8). MemCounters is the in-memory implementation for one node.
type Counters interface {
	// AdvertiserKey returns a stable key for an advertiser, above zero:
	// the same ID always gets the same key, whatever view asks. Called
	// when a view is bound, never per decision.
	AdvertiserKey(id string) (uint32, error)
	// Reserve counts one message of r.Advertiser to r.Recipient on r.Day,
	// atomically with checking the caps (perAdv for the advertiser, total
	// over all advertisers; 0 for no cap), so that two concurrent
	// submissions cannot both take the last slot. It reports whether the
	// message was within the caps. When it was not, nothing is counted,
	// unless force is set (the rule is in monitor mode: the message goes
	// out and counts). today is the current local day: counts of days
	// before yesterday may be dropped.
	Reserve(r Reservation, today int32, perAdv, total int, force bool) (within bool)
	// Release gives back a slot Reserve counted, when the message then
	// failed at the SMSC. Releasing more than was reserved, or a day
	// already dropped, does nothing.
	Release(r Reservation)
}

// Reservation is one message counted by R8: the gateway keeps it (from
// Result.Reservation) to Release the slot if the SMSC refuses the message.
type Reservation struct {
	// Day is the local day the message counts on, in days since
	// 1970-01-01 in the rules' time zone: the day it is delivered, which
	// for a deferred message is the day of Decision.Until.
	Day        int32
	Recipient  msisdn.Number
	Advertiser uint32 // Counters.AdvertiserKey of the advertiser, 0 for none
}

// IsZero reports whether r reserves nothing.
func (r Reservation) IsZero() bool { return r.Recipient.IsZero() }

// HandleIndex is the method set of optout's *Index that R5 uses, written
// generically so that this package need not import optout. H is
// optout.Handle.
type HandleIndex[H ~uint32] interface {
	Handle(s bawwab.Scope) (H, error)
	Check(nsn uint32, adv, prov H) (by H, opposed bool)
	CheckE164(e164 string, adv, prov H) (by H, opposed bool)
}

// IndexOppositions adapts an optout index to Oppositions:
//
//	ix, err := optout.Load(path) // or optout.Build, optout.New
//	engine.SetOppositions(compliance.IndexOppositions(ix))
//
// Moroccan numbers are looked up by their national significant number
// without allocating; foreign ones by their E.164 form (one allocation).
func IndexOppositions[H ~uint32](ix HandleIndex[H]) Oppositions {
	return indexOppositions[H]{ix}
}

type indexOppositions[H ~uint32] struct{ ix HandleIndex[H] }

func (o indexOppositions[H]) Resolve(s bawwab.Scope) (uint32, error) {
	h, err := o.ix.Handle(s)
	return uint32(h), err
}

func (o indexOppositions[H]) Opposed(n msisdn.Number, adv, prov uint32) (bawwab.ScopeKind, bool) {
	var by H
	var opposed bool
	if nsn, ok := n.MoroccanNSN(); ok {
		by, opposed = o.ix.Check(nsn, H(adv), H(prov))
	} else {
		by, opposed = o.ix.CheckE164(n.E164(), H(adv), H(prov))
	}
	switch {
	case !opposed:
		return 0, false
	case by != 0 && by == H(adv):
		return bawwab.ScopeAdvertiser, true
	case by != 0 && by == H(prov):
		return bawwab.ScopeProvider, true
	}
	return bawwab.ScopeNational, true
}
