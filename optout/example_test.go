package optout_test

import (
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/optout"
)

func Example() {
	ix := optout.New()

	// Resolve the registry's scopes once, keep the handles.
	atlas := ix.Advertiser("atlas-market")
	souk := ix.Advertiser("souk")
	vas := ix.Provider("atlasvas")

	// The subscriber sends STOP ATLAS to the national channel; the store
	// records change 1, and the index applies it before the confirmation
	// goes out.
	_, err := ix.Apply(bawwab.Opposition{
		Seq:    1,
		MSISDN: "+212612345678",
		Scope:  bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"},
		Action: bawwab.ActionStop,
	})
	if err != nil {
		log.Fatal(err)
	}

	// The hot path: the recipient's NSN and two handles.
	fmt.Println(ix.MaySend(612345678, atlas, vas))
	fmt.Println(ix.MaySend(612345678, souk, vas))
	by, opposed := ix.Check(612345678, atlas, vas)
	scope, _ := ix.Scope(by)
	fmt.Println(opposed, scope)

	// The convenient form, with IDs and an E.164 number.
	fmt.Println(ix.MaySendTo("+212612345678", "atlas-market", "atlasvas"))
	// Output:
	// false
	// true
	// true advertiser:atlas-market
	// false
}

// The restart: load the snapshot and catch up from its sequence, or build
// from the whole register when there is no usable snapshot.
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "optout")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "optout.snap")

	// The register, as the store would stream it.
	register := []bawwab.Opposition{
		{Seq: 1, MSISDN: "+212612345678", Scope: bawwab.NationalScope, Action: bawwab.ActionStop},
		{Seq: 2, MSISDN: "+33612345678", Scope: bawwab.Scope{Kind: bawwab.ScopeProvider, ID: "atlasvas"}, Action: bawwab.ActionStop},
		{Seq: 3, MSISDN: "+212612345678", Scope: bawwab.NationalScope, Action: bawwab.ActionStart},
	}
	changesAfter := func(seq int64) func(func(bawwab.Opposition, error) bool) {
		return func(yield func(bawwab.Opposition, error) bool) {
			for _, op := range register {
				if op.Seq > seq && !yield(op, nil) {
					return
				}
			}
		}
	}

	// A first start: no snapshot yet.
	ix, err := optout.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, optout.ErrCorrupt):
		ix, err = optout.Build(changesAfter(0))
	}
	if err != nil {
		log.Fatal(err)
	}
	if err := ix.Save(path); err != nil {
		log.Fatal(err)
	}

	// A later start: the snapshot, then the changes since.
	register = append(register, bawwab.Opposition{Seq: 4, MSISDN: "+212612345678", Scope: bawwab.NationalScope, Action: bawwab.ActionStop})
	ix, err = optout.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshot at", ix.Seq())
	for op, err := range changesAfter(ix.Seq()) {
		if err != nil {
			log.Fatal(err)
		}
		if _, err := ix.Apply(op); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("caught up to", ix.Seq())
	fmt.Println(ix.MaySendTo("+212612345678", "", ""))
	fmt.Println(ix.MaySendTo("+33612345678", "any", "atlasvas"))
	// Output:
	// snapshot at 3
	// caught up to 4
	// false
	// false
}
