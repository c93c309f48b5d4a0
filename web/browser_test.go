package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium is Debian's browser, driven by chromedp.
const chromium = "/usr/bin/chromium"

// artifacts is where the screenshots go: $BAWWAB_ARTIFACTS, or the
// repository's artifacts/ folder (ignored by git).
func artifacts(t *testing.T) string {
	dir := os.Getenv("BAWWAB_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "artifacts")
	}
	dir = filepath.Join(dir, "web")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browser starts a headless chromium with a fresh profile.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := exec.LookPath(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing and CI is set: the browser tests must run", chromium)
		}
		t.Skipf("%s is missing", chromium)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1366, 900),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(cancel3)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

var viewports = []struct {
	name string
	w, h int64
}{{"desktop", 1366, 900}, {"phone", 390, 844}}

// shoot screenshots a page at both widths and checks that nothing
// overflows horizontally.
func shoot(t *testing.T, ctx context.Context, base, dir, name, path string) {
	t.Helper()
	for _, vp := range viewports {
		if err := chromedp.Do(ctx,
			chromedp.EmulateViewport(vp.w, vp.h),
			chromedp.Navigate(base+path),
			chromedp.WaitReady(chromedp.CSS("footer")),
		); err != nil {
			t.Fatalf("%s at %s: %v", path, vp.name, err)
		}
		widths, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[document.documentElement.scrollWidth, window.innerWidth]`))
		if err != nil {
			t.Fatal(err)
		}
		if widths[0] > widths[1] {
			t.Errorf("%s overflows horizontally at %s width: %d px wide in %d", path, vp.name, widths[0], widths[1])
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s.png", name, vp.name)), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func login(t *testing.T, ctx context.Context, base, name, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SendKeys(chromedp.CSS("#name"), name),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS(".who .user")),
	)
	if err != nil {
		t.Fatalf("log in as %s: %v", name, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(v)
}

// TestBrowser: a regulator logs in, sees the overview's charts
// populated, goes through every page at phone and desktop widths, and
// suspends a provider; a provider sees its portal.
func TestBrowser(t *testing.T) {
	e := newEnv(t)
	ctx := browser(t)
	dir := artifacts(t)
	base := e.srv.URL

	shoot(t, ctx, base, dir, "login", "/login")
	login(t, ctx, base, "inspector", "inspector")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#chart-hourly svg"))); err != nil {
		t.Fatal(err)
	}
	bars := eval[int](t, ctx, `document.querySelectorAll("#chart-hourly rect, #chart-daily rect").length`)
	lines := eval[int](t, ctx, `document.querySelectorAll("#chart-trend polyline").length`)
	if bars < 15 || lines != 4 {
		t.Errorf("overview charts: %d bars, %d lines", bars, lines)
	}
	if title := text(t, ctx, "h1"); title != "Vue d'ensemble" && title != "Overview" {
		t.Errorf("overview title %q", title)
	}
	for _, p := range []struct{ name, path string }{
		{"overview", "/"}, {"providers", "/providers"}, {"provider", "/providers/rifdigital"}, {"registry", "/registry?kind=provider"},
		{"ledger", "/ledger?provider=rifdigital&outcome=reject"}, {"complaints", "/complaints"}, {"complaint", "/complaints/" + strconv.FormatInt(e.caseID, 10)},
		{"reports", "/reports?by=day,provider,operator&from=2025-06-01&to=2025-06-10"}, {"portal-regulator", "/portal?provider=rifdigital"}, {"users", "/users"}, {"account", "/account"},
	} {
		shoot(t, ctx, base, dir, p.name, p.path)
	}
	// English, through the switch.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/lang/en?back=/"), chromedp.WaitVisible(chromedp.CSS("#chart-daily"))); err != nil {
		t.Fatal(err)
	}
	if title := text(t, ctx, "h1"); title != "Overview" {
		t.Errorf("after the switch to English: %q", title)
	}
	shoot(t, ctx, base, dir, "overview-en", "/")

	// Suspend a provider from its page.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/providers/atlasvas"),
		chromedp.WaitVisible(chromedp.CSS("#measure-reason")),
		chromedp.SendKeys(chromedp.CSS("#measure-reason"), "repeated complaints about promotions at night"),
		chromedp.Click(chromedp.CSS("#suspend")),
		chromedp.WaitVisible(chromedp.CSS(".msg")),
	); err != nil {
		t.Fatal(err)
	}
	if status := text(t, ctx, "#provider-status"); status != "suspended" {
		t.Errorf("status after suspending: %q", status)
	}
	if !e.mon.Status("atlasvas").Suspended() {
		t.Error("the monitor does not apply the suspension")
	}
	shoot(t, ctx, base, dir, "provider-suspended", "/providers/atlasvas")

	// A provider's portal, in a browser of its own.
	ctx2 := browser(t)
	login(t, ctx2, base, "atlasvas", "atlasvas")
	for _, p := range []struct{ name, path string }{{"portal", "/portal"}, {"provider-own", "/providers/atlasvas"}, {"overview-provider", "/"}} {
		shoot(t, ctx2, base, dir, p.name, p.path)
	}
	if err := chromedp.Do(ctx2, chromedp.Navigate(base+"/portal"), chromedp.WaitVisible(chromedp.CSS("#refusals"))); err != nil {
		t.Fatal(err)
	}
	if n := eval[int](t, ctx2, `document.querySelectorAll("#refusals li").length`); n != 5 {
		t.Errorf("portal shows %d refusals, want 5", n)
	}
}
