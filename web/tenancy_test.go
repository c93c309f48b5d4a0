package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/bawwab/bawwab"
)

// TestTenancy logs in as each provider and calls every API route and
// every page, naming the other provider's records wherever a path or a
// query takes one: nothing of the other provider may show.
func TestTenancy(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// Give each provider a measure, a notification and an API key, so
	// that there is something to leak.
	for _, p := range []string{"atlasvas", "rifdigital"} {
		if _, err := e.mon.Take(ctx, p, bawwab.MeasureWarning, 0, bawwab.Actor{Name: "inspector", Role: bawwab.RoleRegulator}, "warning for "+p); err != nil {
			t.Fatal(err)
		}
	}
	measures, _, err := e.st.Measures.FindMeasures(ctx, bawwab.MeasureFilter{})
	if err != nil {
		t.Fatal(err)
	}
	measureOf := map[string]string{}
	for _, m := range measures {
		measureOf[m.ProviderID] = strconv.FormatInt(m.ID, 10)
	}
	entryOf := map[string]string{}
	for en, err := range e.ledger.FindEntries(ctx, bawwab.LedgerFilter{Kinds: []bawwab.EntryKind{bawwab.EntryDecision}}) {
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := entryOf[en.ProviderID]; !ok {
			entryOf[en.ProviderID] = strconv.FormatInt(en.Index, 10)
		}
	}
	type side struct {
		user, provider, caseID string
		markers                []string // what only this provider's data contains
		keys                   map[bawwab.RecordKind]string
	}
	atlas := side{user: "atlasvas", provider: "atlasvas", caseID: strconv.FormatInt(e.caseID, 10),
		markers: []string{"atlasvas", "Atlas VAS", "ATLASMKT", "atlas-market", "atlas01", "atlas-iam", atlasNumber, e.keys.Pseudonym(atlasNumber).Short()},
		keys: map[bawwab.RecordKind]string{bawwab.KindProvider: "atlasvas", bawwab.KindAccount: "atlas01", bawwab.KindContract: "atlas-iam",
			bawwab.KindAdvertiser: "atlas-market", bawwab.KindSenderID: "ATLASMKT", bawwab.KindChannel: "5050"}}
	rif := side{user: "rif.ops", provider: "rifdigital", caseID: strconv.FormatInt(e.rifCase, 10),
		markers: []string{"rifdigital", "Rif Digital", "DarLbahja", "dar-lbahja", "rifkey0001", "rif-inwi", rifNumber, e.keys.Pseudonym(rifNumber).Short(), "rif.ops"},
		keys: map[bawwab.RecordKind]string{bawwab.KindProvider: "rifdigital", bawwab.KindAccount: "rifkey0001", bawwab.KindContract: "rif-inwi",
			bawwab.KindAdvertiser: "dar-lbahja", bawwab.KindSenderID: "DarLbahja", bawwab.KindChannel: "5151"}}
	for _, pair := range [][2]side{{atlas, rif}, {rif, atlas}} {
		me, other := pair[0], pair[1]
		t.Run(me.user, func(t *testing.T) {
			c := e.login(me.user)
			// Before checking, prove the markers work: my own data shows.
			if _, b := c.get("/api/v1/providers/" + me.provider); !strings.Contains(b, me.markers[2]) {
				t.Fatalf("my own provider page lacks %q: %s", me.markers[2], b)
			}
			// An answer that refuses (4xx) may echo the key asked for, and
			// nothing else; an answer that succeeds must show nothing of
			// the other provider.
			check := func(what string, code int, body string) {
				t.Helper()
				if code >= 400 {
					if code >= 500 {
						t.Errorf("%s: %d %s", what, code, body)
					}
					return
				}
				for _, m := range other.markers {
					if strings.Contains(body, m) {
						t.Errorf("%s shows %q of %s:\n%s", what, m, other.provider, body)
					}
				}
			}
			sub := func(path string) []string {
				var out []string
				switch {
				case strings.Contains(path, "{kind}"):
					for _, k := range bawwab.RegistryKinds {
						p := strings.ReplaceAll(path, "{kind}", string(k))
						key := other.keys[k]
						if key == "" {
							key = "x"
						}
						out = append(out, strings.ReplaceAll(p, "{key}", key))
					}
				case strings.HasPrefix(path, "/api/v1/providers/"):
					out = append(out, strings.ReplaceAll(path, "{id}", other.provider))
				case strings.HasPrefix(path, "/api/v1/measures/"):
					out = append(out, strings.ReplaceAll(path, "{id}", measureOf[other.provider]))
				case strings.HasPrefix(path, "/api/v1/complaints/"):
					out = append(out, strings.ReplaceAll(path, "{id}", other.caseID))
				case strings.HasPrefix(path, "/api/v1/keys/"):
					out = append(out, strings.ReplaceAll(path, "{id}", other.keys[bawwab.KindAccount]))
				case strings.HasPrefix(path, "/api/v1/ledger/"):
					out = append(out, strings.ReplaceAll(path, "{index}", entryOf[other.provider]))
				case strings.HasPrefix(path, "/api/v1/users/"):
					out = append(out, strings.ReplaceAll(path, "{name}", other.user))
				default:
					out = append(out, path)
				}
				return out
			}
			for _, rt := range e.web.Routes() {
				if rt[1] == "/api/v1/login" || rt[1] == "/api/v1/logout" {
					continue
				}
				for _, path := range sub(rt[1]) {
					var bodies []any
					switch rt[0] {
					case "GET", "DELETE":
						bodies = []any{nil}
					default:
						bodies = []any{map[string]any{}, map[string]any{"provider_id": other.provider, "kind": "suspension", "reason": "x", "status": "dismissed"}}
					}
					for _, q := range []string{"", "?provider=" + other.provider, "?provider=" + other.provider + "&since=0&status=open"} {
						if rt[0] != "GET" && q != "" {
							continue
						}
						for _, body := range bodies {
							code, b := c.raw(rt[0], path+q, body)
							check(rt[0]+" "+path+q, code, string(b))
							if rt[0] != "GET" && code < 300 && rt[1] != "/api/v1/keys" {
								t.Errorf("%s %s: %d, want a refusal", rt[0], path, code)
							}
						}
					}
				}
			}
			// The API key made by the loop above belongs to me.
			var ks struct {
				Items []struct {
					ProviderID string `json:"provider_id"`
				}
			}
			c.do("GET", "/api/v1/keys", nil, &ks)
			for _, k := range ks.Items {
				if k.ProviderID != me.provider {
					t.Errorf("a key was made for %s", k.ProviderID)
				}
			}
			// The pages.
			for _, path := range []string{"/", "/providers", "/providers/" + other.provider, "/ledger?provider=" + other.provider,
				"/ledger?kind=decision", "/complaints", "/complaints?status=open", "/complaints/" + other.caseID, "/reports?by=day,provider,operator",
				"/portal", "/portal?provider=" + other.provider, "/portal/optouts.csv?since=0&provider=" + other.provider,
				"/registry?kind=provider", "/registry?kind=account", "/users"} {
				code, b := c.get(path)
				check("page "+path, code, b)
			}
			for _, path := range []string{"/providers/" + other.provider + "/measures", "/measures/" + measureOf[other.provider] + "/lift",
				"/complaints/" + other.caseID + "/decision", "/portal/keys/" + other.keys[bawwab.KindAccount] + "/revoke", "/registry/provider/" + other.provider + "/delete",
				"/registry/put", "/users", "/users/" + other.user + "/disable"} {
				code, b := c.form(path, map[string][]string{"reason": {"x"}, "kind": {"suspension"}, "status": {"dismissed"}})
				check("form "+path, code, b)
				if code < 400 {
					t.Errorf("form %s: %d, want a refusal", path, code)
				}
			}
		})
	}
	// Nothing of the other changed.
	if p, err := e.st.Registry.FindProviderByID(ctx, "rifdigital"); err != nil || p.Status != bawwab.ProviderWarned {
		t.Errorf("rifdigital: %+v %v", p, err)
	}
	if _, err := e.st.Registry.FindAccountByID(ctx, "rifkey0001"); err != nil {
		t.Errorf("rifdigital's key: %v", err)
	}
	if c, err := e.st.Complaints.FindComplaintByID(ctx, e.rifCase); err != nil || c.Status != bawwab.ComplaintOpen {
		t.Errorf("rifdigital's case: %+v %v", c, err)
	}
}

// TestOperatorTenancy: an operator's user sees its network (IAM carries
// atlasvas), nothing of rifdigital, which sends on inwi.
func TestOperatorTenancy(t *testing.T) {
	e := newEnv(t)
	c := e.login("iam.noc")
	markers := []string{"rifdigital", "Rif Digital", "DarLbahja", "dar-lbahja", "rifkey0001", "rif-inwi", rifNumber, e.keys.Pseudonym(rifNumber).Short()}
	paths := []string{"/api/v1/overview", "/api/v1/providers", "/api/v1/measures", "/api/v1/complaints", "/api/v1/complaints?provider=rifdigital",
		"/api/v1/ledger", "/api/v1/ledger?provider=rifdigital", "/api/v1/ledger?kind=decision&limit=500", "/api/v1/reports?by=day,provider,operator&from=2025-06-01&to=2025-06-10",
		"/api/v1/registry/provider", "/api/v1/registry/sender", "/api/v1/refusals?provider=rifdigital", "/api/v1/keys?provider=rifdigital",
		"/", "/providers", "/ledger?outcome=reject", "/complaints", "/reports?by=day,provider,operator", "/providers/rifdigital", "/complaints/" + strconv.FormatInt(e.rifCase, 10)}
	saw := false
	for _, p := range paths {
		code, b := c.get(p)
		if code >= 500 {
			t.Errorf("%s: %d", p, code)
		}
		if code >= 400 {
			continue
		}
		saw = saw || strings.Contains(b, "atlasvas")
		for _, m := range markers {
			if strings.Contains(b, m) {
				t.Errorf("%s shows %q", p, m)
			}
		}
	}
	if !saw {
		t.Error("the operator sees nothing of its own network")
	}
}
