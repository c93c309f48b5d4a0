package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// A regulator's /portal without a provider is a picker linking to each
// provider's portal, not an error.
func TestPortalPicker(t *testing.T) {
	e := newEnv(t)
	a := e.login("inspector")
	code, b := a.get("/portal")
	if code != http.StatusOK {
		t.Fatalf("/portal as a regulator: %d %s", code, b)
	}
	for _, want := range []string{`id="portal-picker"`, `href="/portal?provider=atlasvas"`, `href="/portal?provider=rifdigital"`, `<option value="rifdigital">`} {
		if !strings.Contains(b, want) {
			t.Errorf("the picker lacks %s", want)
		}
	}
	if code, b := a.get("/portal?provider=rifdigital"); code != 200 || !strings.Contains(b, `id="refusals"`) || strings.Contains(b, "portal-picker") {
		t.Fatalf("a provider's portal as a regulator: %d", code)
	}
	// A provider still gets its own portal, without a picker.
	p := e.login("atlasvas")
	if code, b := p.get("/portal"); code != 200 || strings.Contains(b, "portal-picker") || !strings.Contains(b, `id="refusals"`) {
		t.Fatalf("a provider's own portal: %d", code)
	}
}

// The French portal shows the refusals' reasons and fixes in French.
func TestPortalReasonsFrench(t *testing.T) {
	e := newEnv(t)
	p := e.login("atlasvas")
	_, b := p.get("/portal")
	if !strings.Contains(b, "retirez le numéro de la liste") || strings.Contains(b, "remove the number from the list") ||
		!strings.Contains(b, "le destinataire s&#39;est opposé") {
		t.Fatalf("the French portal shows the reasons in English:\n%s", b)
	}
}
