package registrycsv_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/registrycsv"
	"github.com/bawwab/bawwab/sqlite"
)

func open(t testing.TB) bawwab.RegistryService {
	db := sqlite.NewDB(filepath.Join(t.TempDir(), "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.Store().Registry
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	reg := open(t)
	files := []registrycsv.File{
		{Kind: registrycsv.Lookup("operators"), Name: "operators.csv", R: strings.NewReader("id,name\niam,Maroc Telecom\n")},
		{Kind: registrycsv.Lookup("provider"), Name: "providers.csv", R: strings.NewReader("\uFEFFname,id,anrt_declaration,declared_at\nAtlas VAS SARL,atlasvas,ANRT/VAS/2024/017,2024-01-15\n")},
	}
	res, err := registrycsv.Import(ctx, reg, files, nil)
	if err != nil || res.Records != 2 || res.Changes != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	var buf bytes.Buffer
	n, err := registrycsv.Export(ctx, reg, registrycsv.Lookup("providers"), &buf)
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	want := "id,name,anrt_declaration,declared_at,status,operator_id\natlasvas,Atlas VAS SARL,ANRT/VAS/2024/017,2024-01-15T00:00:00Z,active,\n"
	if buf.String() != want {
		t.Fatalf("export:\n%s\nwant:\n%s", buf.String(), want)
	}
	// Importing the export changes nothing.
	res, err = registrycsv.Import(ctx, reg, []registrycsv.File{{Kind: registrycsv.Lookup("providers"), R: &buf}}, nil)
	if err != nil || res.Changes != 0 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
}

func TestRejected(t *testing.T) {
	ctx := context.Background()
	reg := open(t)
	for _, tc := range []struct {
		kind, csv, want string
	}{
		{"operators", "", "line 1: empty file"},
		{"operators", "id,nom\n", `unknown column "nom"`},
		{"operators", "name\nX\n", `missing column "id"`},
		{"operators", "id,name\nok,Fine\nBAD,Bad\n", "line 3, column id"},
		{"providers", "id,name,anrt_declaration,declared_at\np,P,A,yesterday\n", "line 2, column declared_at"},
		{"senders", "value,provider_id,advertiser_id,category\nX,ghost,ghost,commercial\n", "line 2"},
	} {
		_, err := registrycsv.Import(ctx, reg, []registrycsv.File{{Kind: registrycsv.Lookup(tc.kind), R: strings.NewReader(tc.csv)}}, nil)
		var rej *registrycsv.RejectedError
		if !errors.As(err, &rej) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q: %v, want %q", tc.kind, tc.csv, err, tc.want)
		}
	}
	if _, n, _ := reg.FindOperators(ctx, bawwab.OperatorFilter{}); n != 0 {
		t.Fatalf("a rejected import left %d operators", n)
	}
	if registrycsv.Lookup("nothing") != nil {
		t.Fatal("lookup of an unknown kind")
	}
}
