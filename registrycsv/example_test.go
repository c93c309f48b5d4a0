package registrycsv_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/bawwab/bawwab/registrycsv"
	"github.com/bawwab/bawwab/sqlite"
)

// Import operators from CSV, then export them.
func Example() {
	dir, _ := os.MkdirTemp("", "registrycsv")
	defer os.RemoveAll(dir)
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(context.Background()); err != nil {
		panic(err)
	}
	defer db.Close()
	reg := db.Store().Registry
	in := strings.NewReader("id,name\niam,Maroc Telecom\norange,Orange Maroc\n")
	res, err := registrycsv.Import(context.Background(), reg, []registrycsv.File{{Kind: registrycsv.Lookup("operators"), R: in}}, nil)
	fmt.Println(res.Records, res.Changes, err)
	registrycsv.Export(context.Background(), reg, registrycsv.Lookup("operators"), os.Stdout)
	// Output:
	// 2 2 <nil>
	// id,name
	// iam,Maroc Telecom
	// orange,Orange Maroc
}
