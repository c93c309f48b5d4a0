package optout

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/metrics"
	"testing"

	"github.com/bawwab/bawwab"
)

// FuzzLoadSnapshot feeds arbitrary bytes to the snapshot reader, as they
// are and with their checksums fixed up (so that the parser behind them is
// reached): it must never panic, must report ErrCorrupt or return an index
// that writes back to a snapshot that reads the same, and must allocate
// no more than a small multiple of its input.
func FuzzLoadSnapshot(f *testing.F) {
	golden, err := os.ReadFile(filepath.Join("testdata", "v1.snap"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	f.Add(golden[:len(golden)/2])
	small := snapshotBytes(f, built(f, evs(
		"stop +212612345678 national",
		"stop +212612345679 advertiser:atlas",
		"stop +33612345678 provider:vas1",
	)))
	f.Add(small)
	f.Add(rawSnapshot(3, []string{"+33612345678"}, []rawScope{
		{bawwab.ScopeNational, "", 1, roaringBytes(612345678)},
		{bawwab.ScopeAdvertiser, "atlas", 2, roaringBytes(612345678, foreignBase)},
	}))
	f.Add([]byte{})
	f.Add([]byte(headerMagic))

	// runtime/metrics reads the allocation counter without stopping the
	// world, unlike runtime.ReadMemStats.
	sample := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	allocated := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, reseal(data)} {
			before := allocated()
			ix, err := decode(d)
			if alloc := allocated() - before; alloc > 64*uint64(len(d))+1<<20 {
				t.Errorf("decoding %d bytes allocated %d bytes", len(d), alloc)
			}
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Fatalf("decode error %v is not ErrCorrupt", err)
				}
				continue
			}
			compareSnapshot(t, ix)
		}
	})
}
