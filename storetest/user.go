package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// UserBackend opens a new, empty store with its user service, closed when
// the test ends.
type UserBackend func(t testing.TB) (bawwab.Store, bawwab.UserService)

// RunUsers runs the conformance tests of the console's users and sessions.
func RunUsers(t *testing.T, open UserBackend) {
	ctx := context.Background()
	st, users := open(t)
	for _, r := range []bawwab.Record{
		&bawwab.Operator{ID: "iam", Name: "Maroc Telecom"},
		&bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: declared},
		&bawwab.Provider{ID: "rifdigital", Name: "Rif Digital SA", ANRTDeclaration: "ANRT/VAS/2023/102", DeclaredAt: declared},
	} {
		var err error
		switch r := r.(type) {
		case *bawwab.Operator:
			err = st.Registry.CreateOperator(ctx, r)
		case *bawwab.Provider:
			err = st.Registry.CreateProvider(ctx, r)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	created := []*bawwab.User{
		{Name: "inspector", Role: bawwab.RoleRegulator, PasswordHash: hash},
		{Name: "atlas.ops", Role: bawwab.RoleProvider, ProviderID: "atlasvas", PasswordHash: hash},
		{Name: "iam.noc", Role: bawwab.RoleOperator, OperatorID: "iam", PasswordHash: hash},
		{Name: "rif.ops", Role: bawwab.RoleProvider, ProviderID: "rifdigital", PasswordHash: hash},
	}
	for _, u := range created {
		if err := users.CreateUser(ctx, u); err != nil {
			t.Fatalf("create %s: %v", u.Name, err)
		}
		if u.CreatedAt.IsZero() {
			t.Errorf("create %s: CreatedAt not set", u.Name)
		}
	}
	for _, tc := range []struct {
		name string
		u    *bawwab.User
		code string
	}{
		{"duplicate", &bawwab.User{Name: "inspector", Role: bawwab.RoleRegulator, PasswordHash: hash}, bawwab.ECONFLICT},
		{"missing provider", &bawwab.User{Name: "ghost", Role: bawwab.RoleProvider, ProviderID: "ghostvas", PasswordHash: hash}, bawwab.EINVALID},
		{"missing operator", &bawwab.User{Name: "ghost", Role: bawwab.RoleOperator, OperatorID: "nope", PasswordHash: hash}, bawwab.EINVALID},
		{"bad name", &bawwab.User{Name: "Bad Name", Role: bawwab.RoleRegulator, PasswordHash: hash}, bawwab.EINVALID},
		{"system role", &bawwab.User{Name: "robot", Role: bawwab.RoleSystem, PasswordHash: hash}, bawwab.EINVALID},
		{"no password", &bawwab.User{Name: "nopw", Role: bawwab.RoleRegulator}, bawwab.EINVALID},
	} {
		if err := users.CreateUser(ctx, tc.u); bawwab.ErrorCode(err) != tc.code {
			t.Errorf("create %s: got %v, want code %s", tc.name, err, tc.code)
		}
	}

	got, err := users.FindUserByName(ctx, "atlas.ops")
	if err != nil {
		t.Fatal(err)
	}
	if got.Role != bawwab.RoleProvider || got.ProviderID != "atlasvas" || got.PasswordHash != hash || !got.CreatedAt.Equal(created[1].CreatedAt) {
		t.Errorf("find atlas.ops: got %+v", got)
	}
	if _, err := users.FindUserByName(ctx, "nobody"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("find nobody: got %v, want not found", err)
	}
	all, n, err := users.FindUsers(ctx, bawwab.UserFilter{})
	if err != nil || n != 4 || len(all) != 4 || all[0].Name != "atlas.ops" || all[3].Name != "rif.ops" {
		t.Errorf("find users: got %d %v %v", n, names(all), err)
	}
	page, n, err := users.FindUsers(ctx, bawwab.UserFilter{Offset: 1, Limit: 2})
	if err != nil || n != 4 || len(page) != 2 || page[0].Name != "iam.noc" {
		t.Errorf("find users page: got %d %v %v", n, names(page), err)
	}
	role := bawwab.RoleProvider
	prov, n, err := users.FindUsers(ctx, bawwab.UserFilter{Role: &role})
	if err != nil || n != 2 || len(prov) != 2 {
		t.Errorf("find providers' users: got %d %v %v", n, names(prov), err)
	}

	// Tenancy: a provider sees only its own users and changes none.
	pctx := bawwab.NewContextWithProvider(ctx, "atlasvas")
	if mine, n, err := users.FindUsers(pctx, bawwab.UserFilter{}); err != nil || n != 1 || mine[0].Name != "atlas.ops" {
		t.Errorf("provider's users: got %d %v %v", n, names(mine), err)
	}
	if _, err := users.FindUserByName(pctx, "rif.ops"); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("provider finds another's user: got %v, want not found", err)
	}
	if err := users.CreateUser(pctx, &bawwab.User{Name: "sneaky", Role: bawwab.RoleRegulator, PasswordHash: hash}); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
		t.Errorf("provider creates a user: got %v, want forbidden", err)
	}
	if _, err := users.UpdateUser(pctx, "atlas.ops", bawwab.UserUpdate{Disabled: ptr(true)}); bawwab.ErrorCode(err) != bawwab.EFORBIDDEN {
		t.Errorf("provider changes a user: got %v, want forbidden", err)
	}

	// Sessions.
	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	s1 := &bawwab.Session{ID: "aa01", UserName: "atlas.ops", CSRFToken: "csrf1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	s2 := &bawwab.Session{ID: "aa02", UserName: "atlas.ops", CSRFToken: "csrf2", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	s3 := &bawwab.Session{ID: "bb01", UserName: "inspector", CSRFToken: "csrf3", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	for _, s := range []*bawwab.Session{s1, s2, s3} {
		if err := users.CreateSession(ctx, s); err != nil {
			t.Fatalf("create session: %v", err)
		}
	}
	if err := users.CreateSession(ctx, &bawwab.Session{ID: "aa01", UserName: "atlas.ops", CSRFToken: "x", ExpiresAt: now.Add(time.Hour)}); bawwab.ErrorCode(err) != bawwab.ECONFLICT {
		t.Errorf("duplicate session: got %v, want conflict", err)
	}
	if err := users.CreateSession(ctx, &bawwab.Session{ID: "cc01", UserName: "nobody", CSRFToken: "x", ExpiresAt: now.Add(time.Hour)}); bawwab.ErrorCode(err) != bawwab.EINVALID {
		t.Errorf("session of nobody: got %v, want invalid", err)
	}
	se, err := users.FindSession(ctx, "aa01", now.Add(time.Minute))
	if err != nil || se.UserName != "atlas.ops" || se.CSRFToken != "csrf1" || !se.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("find session: got %+v %v", se, err)
	}
	if _, err := users.FindSession(ctx, "bb01", now.Add(2*time.Minute)); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("expired session: got %v, want not found", err)
	}
	if err := users.DeleteSession(ctx, "aa01"); err != nil {
		t.Fatal(err)
	}
	if _, err := users.FindSession(ctx, "aa01", now); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("deleted session: got %v, want not found", err)
	}
	if n, err := users.DeleteUserSessions(ctx, "atlas.ops"); err != nil || n != 1 {
		t.Errorf("delete user's sessions: got %d %v, want 1", n, err)
	}

	// Updates.
	newHash := hash + "x"
	u, err := users.UpdateUser(ctx, "atlas.ops", bawwab.UserUpdate{PasswordHash: &newHash, Disabled: ptr(true)})
	if err != nil || u.PasswordHash != newHash || !u.Disabled {
		t.Errorf("update: got %+v %v", u, err)
	}
	if u, err := users.FindUserByName(ctx, "atlas.ops"); err != nil || u.PasswordHash != newHash || !u.Disabled || u.Role != bawwab.RoleProvider {
		t.Errorf("after update: got %+v %v", u, err)
	}
	if u, err := users.UpdateUser(ctx, "atlas.ops", bawwab.UserUpdate{Disabled: ptr(false)}); err != nil || u.Disabled || u.PasswordHash != newHash {
		t.Errorf("enable: got %+v %v", u, err)
	}
	if _, err := users.UpdateUser(ctx, "nobody", bawwab.UserUpdate{Disabled: ptr(true)}); bawwab.ErrorCode(err) != bawwab.ENOTFOUND {
		t.Errorf("update nobody: got %v, want not found", err)
	}
}

func names(us []*bawwab.User) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.Name)
	}
	return out
}
