package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/sqlite"
	"github.com/bawwab/bawwab/web"
)

// The wiring of the console: a store and its users (and, in the gateway,
// the ledger, the keyring, the complaint desk and the sanction monitor),
// then the handler beside the gateway's own routes.
func Example() {
	dir, _ := os.MkdirTemp("", "web-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		panic(err)
	}
	defer db.Close()
	users := sqlite.NewUserService(db)
	// bawwab demo's inspector account.
	if _, err := web.EnsureUser(ctx, users, "inspector", "inspector", bawwab.RoleRegulator, ""); err != nil {
		panic(err)
	}
	srv, err := web.New(web.Options{Store: db.Store(), Users: users})
	if err != nil {
		panic(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	resp, err := ts.Client().Post(ts.URL+"/api/v1/login", "application/json", strings.NewReader(`{"name":"inspector","password":"inspector"}`))
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.Status, resp.Cookies()[0].Name, resp.Cookies()[0].HttpOnly)
	// Output: 200 OK bawwab_session true
}
