// Package report answers the regulators' questions about the traffic
// (RULES.md, "Control by the regulators"): volumes, decisions by reason,
// oppositions, complaints and measures, per provider, operator and day,
// as tables (CSV for `bawwab report`, JSON for the API) and as the web
// console's overview.
//
// Reports never scan the ledger: the Feeder follows each ledger and adds
// every entry, exactly once, to aggregates the store keeps per hour and
// per day (and indexes the deliveries the complaint desk looks reports up
// in); Rebuild computes them again from the ledgers. Table and
// BuildOverview read only the aggregates, through
// bawwab.ReportService.Aggregate.
//
// What the gateway calls: Feeder.CatchUp at start, Feeder.Run in the
// background (and Feeder.Kick after appends, optionally). What the console
// calls: BuildOverview and Table (WriteJSON), with the scope of the user
// (a provider sees its own traffic, an operator its network).
package report
