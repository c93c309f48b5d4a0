package proxy_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/proxy"
)

type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas         map[string]schema          `json:"schemas"`
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
}

type schema struct {
	Required   []string          `json:"required"`
	Properties map[string]schema `json:"properties"`
	Enum       []string          `json:"enum"`
}

// TestOpenAPI: the fragment is merge-ready (absolute paths, Gateway
// schema names, every $ref resolved), documents every route the handler
// serves, and its schemas describe the real answers.
func TestOpenAPI(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(proxy.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	for name := range doc.Components.Schemas {
		if !strings.HasPrefix(name, "Gateway") {
			t.Errorf("schema %q is not prefixed Gateway", name)
		}
	}
	for name := range doc.Components.SecuritySchemes {
		if !strings.HasPrefix(name, "Gateway") {
			t.Errorf("security scheme %q is not prefixed Gateway", name)
		}
	}
	raw := string(proxy.OpenAPI)
	for _, ref := range strings.Split(raw, `"$ref": "`)[1:] {
		ref = ref[:strings.IndexByte(ref, '"')]
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if _, found := doc.Components.Schemas[name]; !ok || !found {
			t.Errorf("$ref %q does not resolve to a schema of the fragment", ref)
		}
	}

	e := newEnv(t, envOptions{})
	srv := httptest.NewServer(e.gw.HTTPHandler())
	defer srv.Close()
	var ops []string
	for p, methods := range doc.Paths {
		if !strings.HasPrefix(p, "/") {
			t.Errorf("path %q is not absolute", p)
		}
		for m := range methods {
			ops = append(ops, strings.ToUpper(m)+" "+p)
			// The route exists: the mux answers something else than its
			// own 404 or 405.
			req, _ := http.NewRequest(strings.ToUpper(m), srv.URL+strings.ReplaceAll(p, "{id}", "nope"), nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusMethodNotAllowed || strings.Contains(string(b), "404 page not found") {
				t.Errorf("%s %s is documented but not served", m, p)
			}
		}
	}
	slices.Sort(ops)
	want := []string{"GET /api/v1/messages/{id}", "GET /cgi-bin/sendsms", "POST /api/v1/messages", "POST /cgi-bin/sendsms"}
	if !slices.Equal(ops, want) {
		t.Errorf("documented %q, want %q", ops, want)
	}

	// Every reason an error may carry is in the enum.
	errReasons := doc.Components.Schemas["GatewayError"].Properties["error"].Properties["reason"].Enum
	for _, r := range bawwab.Reasons() {
		if !slices.Contains(errReasons, string(r.Reason)) {
			t.Errorf("reason %s missing from GatewayError", r.Reason)
		}
	}

	// The real answers fit the schemas.
	check := func(what string, body []byte, sc schema) {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		for k := range m {
			if _, ok := sc.Properties[k]; !ok {
				t.Errorf("%s: field %q not in the schema", what, k)
			}
		}
		for _, k := range sc.Required {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: required field %q missing", what, k)
			}
		}
		if st, ok := m["status"].(string); ok && len(sc.Properties["status"].Enum) > 0 && !slices.Contains(sc.Properties["status"].Enum, st) {
			t.Errorf("%s: status %q not in the enum", what, st)
		}
	}
	post := func(body string) []byte {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/messages", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.apiKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	msg := doc.Components.Schemas["GatewayMessage"]
	ok := post(`{"from":"ATLASMKT","to":"+` + iamNumber + `","text":"Atlas Market: -30% ! STOP au 5050","category":"commercial"}`)
	check("accepted", ok, msg)
	var id struct{ ID string }
	json.Unmarshal(ok, &id)
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/messages/"+id.ID, nil)
	req.Header.Set("X-API-Key", e.apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	check("status", b, msg)
	refused := post(`{"from":"ATLASMKT","to":"` + iamNumber + `","text":"Atlas Market: -50% !"}`)
	gerr := doc.Components.Schemas["GatewayError"]
	check("refusal", refused, gerr)
	var e1 struct{ Error map[string]any }
	json.Unmarshal(refused, &e1)
	b2, _ := json.Marshal(e1.Error)
	check("refusal's error", b2, gerr.Properties["error"])
	// The request schema knows every field the handler reads.
	for _, f := range []string{"from", "to", "text", "category", "callback_url"} {
		if _, ok := doc.Components.Schemas["GatewaySubmitRequest"].Properties[f]; !ok {
			t.Errorf("GatewaySubmitRequest lacks %q", f)
		}
	}
}
