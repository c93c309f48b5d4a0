//go:build race

package ledger_test

// raceBuild is true under the race detector, which makes the byte-by-byte
// tamper tests slow: they then flip fewer entries.
const raceBuild = true
