package web_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// The console's errors carry the code also under "reason", the key of the
// gateway's and the subscriber API's errors, and the OpenAPI says so.
func TestErrorReasonAlias(t *testing.T) {
	e := newEnv(t)
	c := e.anonymous()
	p := e.login("atlasvas")
	for _, tc := range []struct {
		c          *client
		method     string
		path       string
		body       any
		wantReason string
	}{
		{c, "GET", "/api/v1/me", nil, "unauthorized"},
		{c, "POST", "/api/v1/login", `{"name": 1}`, "invalid"},
		{p, "GET", "/api/v1/users", nil, "forbidden"},
		{p, "GET", "/api/v1/nothing", nil, "not_found"},
		{p, "POST", "/api/v1/keys", map[string]string{"provider_id": "rifdigital"}, "other_organisation"},
	} {
		_, b := tc.c.raw(tc.method, tc.path, tc.body)
		var out struct {
			Error map[string]any `json:"error"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %s", tc.method, tc.path, b)
		}
		if out.Error["reason"] != tc.wantReason || out.Error["code"] != tc.wantReason || out.Error["message"] == "" {
			t.Errorf("%s %s: error %v, want reason and code %s", tc.method, tc.path, out.Error, tc.wantReason)
		}
	}
	_, b := c.raw("GET", "/api/v1/openapi.json", nil)
	var doc struct {
		Info struct {
			Description string `json:"description"`
		} `json:"info"`
		Components struct {
			Schemas struct {
				Error struct {
					Properties struct {
						Error struct {
							Properties map[string]any `json:"properties"`
						} `json:"error"`
					} `json:"properties"`
				} `json:"Error"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	props := doc.Components.Schemas.Error.Properties.Error.Properties
	if props["reason"] == nil || props["code"] == nil || !strings.Contains(doc.Info.Description, "reason") {
		t.Errorf("the OpenAPI does not document error.reason: %v", props)
	}
}
