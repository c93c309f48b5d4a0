// Package optout is the opposition index: the in-memory answer, for every
// commercial submission, to "may advertiser A, carried by provider P, send
// to number N?". The answer is no when N opposed A, P, or all commercial
// SMS (the national list), as the register records it: per scope, the
// last STOP or START wins.
//
// # Layout
//
// Each scope (national, each provider, each advertiser) has a compressed
// bitmap over the 9-digit Moroccan national number space: a number's high
// 16 bits pick a chunk of 65,536 numbers, a chunk is a sorted array of the
// low halves (up to 2,048 of them) or a bitmap of 8 KiB. That is the
// roaring bitmap's container model, and snapshots are written in the
// roaring portable format with github.com/RoaringBitmap/roaring; but the
// live structure is our own, for two reasons measured on this project's
// target data (10 M random numbers among the 200 M mobile ones): there,
// roaring's Contains is slower than a Go map (a binary search over the
// keys, then one over a 6 KiB array with a cache miss per probe), while a
// dense directory whose slots point straight at a bitmap's words, and the
// earlier switch to bitmaps, make a lookup one cache miss; and a roaring
// Bitmap cannot be read while it is written. Array chunks are searched
// from a guess of the member's place, since opposed numbers are about
// uniform within a chunk. Foreign numbers (E.164) are interned to member
// values above 10^9 and live in the same bitmaps.
//
// # Concurrency
//
// Reads take no lock and allocate nothing: gateway goroutines load atomic
// pointers (a scope's bitmap, a chunk's words or array) and read immutable
// data. A writer (one at a time, under a mutex) never changes a published
// chunk: it copies the one chunk a change touches (at most 8 KiB), changes
// the copy and swaps the slot's pointer; when a change adds a chunk or
// turns an array into a bitmap or back, it publishes a new directory, so
// that a reader always sees a slot through the one pointer of its kind.
// Go's garbage collector frees the old chunks when the last reader lets
// go, which is what makes this read-copy-update scheme cheap to write in
// Go. A seqlock was the alternative: no copy on write, but readers would
// read memory being written, a data race by Go's memory model that the
// race detector cannot tell from a bug; sharded read-write locks would
// make every read write a shared cache line. Because the swap is an atomic
// store, a change is in force for every read that starts after Apply
// returns: a STOP stops the very next submission.
//
// # Life cycle
//
// At start, Load the last snapshot and Apply the store's changes after its
// Seq; if there is none or it is corrupt (ErrCorrupt), Build from the
// whole register. Then Apply every change as the store commits it, and
// Save a snapshot now and then (writers wait only while its view is taken,
// not while it is written).
//
// Numbers come in as the national significant number (uint32, 612345678
// for +212612345678) on the hot path, or in E.164 form; parsing what
// people type is the msisdn package's job.
package optout
