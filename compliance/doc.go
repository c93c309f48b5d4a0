// Package compliance is the rules R1–R9 of docs/RULES.md as an ordered
// pipeline over one submitted message: accept, reject with a reason, or
// defer to the next allowed time, with the rule-set version that decided.
//
// The package does no I/O. What the rules read comes in as values and small
// interfaces, so that the gateway decides in memory on its hot path:
//
//   - a View of the registry (providers, accounts, contracts, sender IDs,
//     advertisers, opt-out channels), built from a registry snapshot and
//     swapped atomically when the registry changes;
//   - Oppositions, the opposition register (IndexOppositions adapts the
//     optout package's index), Consents for consent mode, and Counters for
//     the daily caps (MemCounters keeps them in memory, compactly);
//   - a Config with the modes of the rules (monitor or enforce, globally and
//     per provider, with cut-over dates), the sending hours and the caps.
//
// The order is the specification's: R1 provider, R2 sender ID, R3 recipient;
// for commercial traffic R4 opt-out mention (the textcheck package), R5
// opposition, R6 consent, R7 hours, R8 caps; for transactional traffic R9
// (commercial content under a transactional sender ID). The first rule in
// enforce mode that finds a violation decides; a rule in monitor mode
// records its finding and the message goes on, so that the ledger shows
// what enforcement would have refused before it starts.
//
// The text checker is most of a decision's cost. A campaign sends one text
// to many recipients, so the engine keeps the checker's verdicts on the
// texts it has seen twice, in a small bounded cache shared by its Deciders
// and dropped with the view: the rest of a campaign costs the other rules
// only. A text is recognised by all that its verdict depends on (the exact
// text, the sender ID, the category, the opt-out channels), compared in
// full, so the cache answers as the checker would.
//
// A typical gateway:
//
//	snapshot, err := store.Registry.Snapshot(ctx)
//	view, err := compliance.NewView(snapshot)
//	engine, err := compliance.New(cfg, view, compliance.Deps{
//		Oppositions: compliance.IndexOppositions(optoutIndex),
//	})
//	// per SMPP session:
//	d := engine.NewDecider()
//	res := d.Decide(&sub)
//	// ... if the SMSC then refuses an accepted message:
//	engine.Release(res.Reservation)
//	// when the registry changes:
//	engine.SetView(newView)
package compliance
