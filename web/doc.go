// Package web is Bawwab's console and JSON API for the regulators, the
// operators and the providers (the subscribers' pages are in
// web/subscriber): the overview of the traffic with charts drawn as SVG on
// the server, the providers and their measures, the registry, the ledger
// search with its verification status, the complaint cases, the reports,
// and a provider's own portal (its refused messages and how to fix them,
// the opted-out numbers to remove, its API keys). Everything the console
// does is also in the API under /api/v1, described by /api/v1/openapi.json.
//
// People log in with a console account (bawwab.User): passwords are kept
// as argon2id hashes, sessions as hashes of their tokens in HttpOnly,
// SameSite cookies; every form and every API write carries the session's
// CSRF token. Failed logins lock out a (name, address) pair and an
// address guessing many names, but only slow a name tried from many
// addresses, so that nobody can lock its owner out; every login, failed
// or not, is logged with the name and the client address. The
// role of the account decides what it sees: a provider's user works in a
// context restricted to its provider (bawwab.NewContextWithProvider), so
// that the stores themselves refuse another provider's data, and the
// handlers that read the ledger or the aggregates force its provider in
// their filters; an operator's user sees its network, and a request of
// either naming another provider or operator is refused
// (other_organisation) rather than quietly answered about its own. Every change a
// person makes is recorded in the ledger with who did it and why.
//
// The console speaks French and English (a language switch, and
// Accept-Language by default); its pages use no JavaScript and no external
// resource, and fit a phone's width.
package web
