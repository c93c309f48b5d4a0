// Package bawwab holds the domain of Bawwab, the compliance gateway for
// commercial SMS in Morocco: the records of the registry (operators,
// providers, contracts, advertisers, sender IDs, opt-out channels), the
// opposition register, the decisions taken on each message and the reasons
// behind them.
//
// The package imports only the standard library. Everything that touches a
// wire, a disk or a clock lives in a package of its own (smpp, sqlite,
// postgres, ledger, proxy, web) and depends on this one, never the reverse:
// the layout follows Ben Johnson's "Standard Package Layout". The rules the
// types serve are in docs/RULES.md; the reason codes in reason.go are the
// contract between the rules, the transports and the ledger.
package bawwab
