// Package sanction counts the violations of each provider and raises the
// graduated measures of RULES.md ("Complaints and sanctions"): a warning,
// throttling (a cap in messages per second), a suspension, when a
// configured threshold is crossed over a sliding window — counts (3
// confirmed complaints in 10 days warn, 5 suspend) or shares of the
// provider's commercial traffic (more than 5 % of a day's commercial
// submissions refused for a missing opt-out mention suspends, once there
// are enough of them to judge). What is counted: refusals by reason (the
// attempts to reach opposed recipients among them), confirmed complaints,
// and mislabelled commercial traffic, flagged or refused.
//
// What the gateway calls:
//
//   - Monitor.Observe once per decision, with the ledger entry it appended
//     (cheap, allocation-free on an accepted message, safe for concurrent
//     use);
//   - Options.OnChange, its callback, which the monitor calls at once when
//     a provider's status changes, so that a suspension applies to the
//     very next submission on this node; Monitor.Status to read it;
//   - Monitor.Load at start (after report.Feeder.CatchUp), Monitor.Run in
//     the background;
//   - the complaint desk's OnConfirmed set to Monitor.ObserveComplaint.
//
// Every other node learns of a measure through the store: taking one sets
// the provider's status in the registry, which the change feed carries.
// What the console and the API call: Monitor.Lift (a regulator only), and
// the store's MeasureService to list measures and notifications.
package sanction
