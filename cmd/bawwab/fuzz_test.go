package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/registrycsv"
	"github.com/bawwab/bawwab/sqlite"
)

// The fuzz targets feed arbitrary files to the importers, against a real
// embedded store holding the example registry. Whatever the input, an
// import must not panic, must either go in whole or be rejected whole, and
// a rejection must point at lines.

var fuzzNow = func() time.Time { return time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC) }

// fuzzStore opens one store per fuzzing process, loaded with the examples.
func fuzzStore(f *testing.F) bawwab.Store {
	f.Helper()
	db := sqlite.NewDB(filepath.Join(f.TempDir(), "bawwab.db"))
	db.Now = fuzzNow
	if err := db.Open(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	st := db.Store()
	files, err := registryDir(examples)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := importRegistry(context.Background(), st, files, &IO{Err: &bytes.Buffer{}}); err != nil {
		f.Fatal(err)
	}
	return st
}

// checkImport checks the outcome of one fuzzed import: the sequence moved
// by exactly the changes made, or not at all on a rejection listing lines.
func checkImport(t *testing.T, st bawwab.Store, before int64, res bawwab.ImportResult, err error) {
	t.Helper()
	after, lerr := st.Feed.LastSeq(context.Background())
	if lerr != nil {
		t.Fatal(lerr)
	}
	if err == nil {
		if after != before+res.Changes {
			t.Fatalf("import of %d records made %d changes but moved the sequence from %d to %d", res.Records, res.Changes, before, after)
		}
		return
	}
	if after != before {
		t.Fatalf("a rejected import (%v) moved the sequence from %d to %d", err, before, after)
	}
	var rej *registrycsv.RejectedError
	if !errors.As(err, &rej) {
		t.Fatalf("import failed with %v, not a rejection listing lines", err)
	}
	if rej.Count == 0 || len(rej.Errs) == 0 {
		t.Fatal("a rejection with no errors")
	}
	for _, e := range rej.Errs {
		var le *registrycsv.LineError
		if !errors.As(e, &le) || le.Line < 1 {
			t.Fatalf("rejection error without a line: %v", e)
		}
	}
}

func FuzzOptoutImport(f *testing.F) {
	for _, s := range []string{
		"msisdn\n0612345678\n+212712345678\n",
		"msisdn,scope,action,at,channel\n0612345678,advertiser:atlas-market,stop,2025-03-01T09:30:00Z,5050\n",
		"msisdn,scope\n0612345678,provider:nobody\n",
		"msisdn\n\"0612\"345678\n",
		"\uFEFFMSISDN , Scope\n06 12 34 56 78,national\n",
		"msisdn,seq\n0612345678,17\n",
		"msisdn\n",
		"",
	} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(filepath.Join(examples, "oppositions.csv")); err == nil {
		f.Add(b)
	}
	st := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before, err := st.Feed.LastSeq(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		res, err := importOppositions(context.Background(), st, bytes.NewReader(data), nil, fuzzNow)
		checkImport(t, st, before, res, err)
	})
}

func FuzzConsentImport(f *testing.F) {
	for _, s := range []string{
		"msisdn,advertiser_id\n0612345678,atlas-market\n",
		"msisdn,advertiser_id,basis,at,channel,evidence_hash\n0612345678,souk-nour,customer,2025-01-01,shop,sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
		"msisdn,advertiser_id\n0612345678,nobody\n",
		"msisdn\n0612345678\n",
	} {
		f.Add([]byte(s))
	}
	st := fuzzStore(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		before, err := st.Feed.LastSeq(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		res, err := importConsents(context.Background(), st, bytes.NewReader(data), nil, fuzzNow)
		checkImport(t, st, before, res, err)
	})
}

func FuzzRegistryImport(f *testing.F) {
	for i, k := range registryKinds {
		if b, err := os.ReadFile(filepath.Join(examples, k.Name+".csv")); err == nil {
			f.Add(uint8(i), b)
		}
	}
	f.Add(uint8(5), []byte("value,provider_id,advertiser_id,category\nATLAS MKT,atlasvas,atlas-market,commercial\n"))
	f.Add(uint8(2), []byte("id,provider_id,secret_hash\nx1,atlasvas,$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA\n"))
	f.Add(uint8(1), []byte("id,name,status\nnew,New,active\n"))
	st := fuzzStore(f)
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		k := registryKinds[int(kind)%len(registryKinds)]
		if k.Kind == bawwab.KindAccount && bytes.Contains(bytes.ToLower(data), []byte("password")) {
			t.Skip("hashing is slow and not what is fuzzed here")
		}
		p := filepath.Join(dir, k.Name+".csv")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before, err := st.Feed.LastSeq(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		res, err := importRegistry(context.Background(), st, []registryFile{{kind: k, path: p}}, &IO{Err: &bytes.Buffer{}})
		checkImport(t, st, before, res, err)
	})
}
