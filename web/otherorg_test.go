package web_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

func errorField(b []byte) string {
	var e struct {
		Error struct {
			Field string `json:"field"`
		} `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Field
}

// A provider's (operator's) user naming another provider (operator) in a
// body or a query is refused with a reason, not answered about its own.
func TestOtherOrganisationRefused(t *testing.T) {
	e := newEnv(t)
	p := e.login("atlasvas")
	var keys struct {
		Total int `json:"total"`
	}
	p.do("GET", "/api/v1/keys", nil, &keys)
	before := keys.Total
	code, b := p.raw("POST", "/api/v1/keys", map[string]any{"provider_id": "rifdigital"})
	if code != http.StatusForbidden || errorCode(b) != "other_organisation" || errorField(b) != "provider_id" {
		t.Fatalf("key for another provider: %d %s", code, b)
	}
	p.do("GET", "/api/v1/keys", nil, &keys)
	if keys.Total != before {
		t.Fatalf("a key was created: %d keys, had %d", keys.Total, before)
	}
	if code, b := p.raw("POST", "/api/v1/keys", map[string]any{"provider_id": "atlasvas"}); code != http.StatusCreated {
		t.Fatalf("key naming one's own provider: %d %s", code, b)
	}
	o := e.login("iam.noc")
	a := e.login("inspector")
	for _, tc := range []struct {
		c     *client
		path  string
		field string
	}{
		{p, "/api/v1/ledger?provider=rifdigital", "provider"},
		{p, "/api/v1/reports?provider=rifdigital", "provider"},
		{p, "/api/v1/refusals?provider=rifdigital", "provider"},
		{p, "/api/v1/optouts?provider=rifdigital", "provider"},
		{p, "/api/v1/keys?provider=rifdigital", "provider"},
		{p, "/api/v1/complaints?provider=rifdigital", "provider"},
		{p, "/api/v1/measures?provider=rifdigital", "provider"},
		{p, "/api/v1/notifications?provider=rifdigital", "provider"},
		{o, "/api/v1/ledger?operator=inwi", "operator"},
		{o, "/api/v1/reports?operator=inwi", "operator"},
	} {
		code, b := tc.c.raw("GET", tc.path, nil)
		if code != http.StatusForbidden || errorCode(b) != "other_organisation" || errorField(b) != tc.field {
			t.Errorf("%s %s: %d %s", tc.c.name, tc.path, code, b)
		}
	}
	// One's own, and a regulator's choice, are answered.
	for _, tc := range []struct {
		c    *client
		path string
	}{
		{p, "/api/v1/ledger?provider=atlasvas"},
		{o, "/api/v1/ledger?operator=iam"},
		{a, "/api/v1/ledger?provider=rifdigital"},
		{a, "/api/v1/refusals?provider=rifdigital"},
	} {
		if code, b := tc.c.raw("GET", tc.path, nil); code != 200 {
			t.Errorf("%s %s: %d %s", tc.c.name, tc.path, code, b)
		}
	}
	// The pages too.
	if code, _ := p.get("/ledger?provider=rifdigital"); code != http.StatusForbidden {
		t.Errorf("ledger page for another provider: %d", code)
	}
	if code, _ := p.get("/portal?provider=rifdigital"); code != http.StatusForbidden {
		t.Errorf("portal page for another provider: %d", code)
	}
}
