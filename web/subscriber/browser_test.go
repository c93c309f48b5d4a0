package subscriber_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromium = "/usr/bin/chromium"

// viewports are the widths the pages are checked at.
var viewports = []struct {
	name          string
	width, height int64
	mobile        bool
}{
	{"phone", 390, 844, true},
	{"desktop", 1366, 900, false},
}

// artifactsDir is where screenshots go: $BAWWAB_ARTIFACTS, or ./artifacts.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("BAWWAB_ARTIFACTS")
	if dir == "" {
		dir = "artifacts"
	}
	dir = filepath.Join(dir, "subscriber")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// newChromium starts Debian's Chromium, headless, with a fresh profile.
func newChromium(t *testing.T) context.Context {
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium is required in CI: %v", err)
		}
		t.Skipf("no %s: %v", chromium, err)
	}
	profile, err := os.MkdirTemp("", "bawwab-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Chromium's children may still write there a moment after it
		// stops.
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("ignore-certificate-errors", true), // the test server's own certificate
		chromedp.UserDataDir(profile),
	)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(alloc)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// layout is what the test reads of a page in the browser.
type layout struct {
	Lang        string  `json:"lang"`
	Dir         string  `json:"dir"`
	Direction   string  `json:"direction"`
	ScrollWidth float64 `json:"scrollWidth"`
	ClientWidth float64 `json:"clientWidth"`
	LogoLeft    float64 `json:"logoLeft"`
	LangsLeft   float64 `json:"langsLeft"`
	// The first heading's box, and the box of its text: right to left,
	// the text hugs the box's right edge; left to right, its left edge.
	H1Left      float64 `json:"h1Left"`
	H1Right     float64 `json:"h1Right"`
	H1TextLeft  float64 `json:"h1TextLeft"`
	H1TextRight float64 `json:"h1TextRight"`
	Overflowing string  `json:"overflowing"`
}

const layoutJS = `(() => {
  const r = (s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect() : {left: 0, right: 0}; };
  const text = (s) => { const e = document.querySelector(s); if (!e) return {left: 0, right: 0}; const g = document.createRange(); g.selectNodeContents(e); return g.getBoundingClientRect(); };
  const de = document.documentElement;
  let over = [];
  for (const e of document.body.querySelectorAll("*")) {
    const b = e.getBoundingClientRect();
    if (b.width > 0 && (b.right > de.clientWidth + 1 || b.left < -1) && getComputedStyle(e).position !== "absolute") over.push(e.tagName + "." + e.className);
  }
  return {
    lang: de.lang, dir: de.dir, direction: getComputedStyle(document.body).direction,
    scrollWidth: de.scrollWidth, clientWidth: de.clientWidth,
    logoLeft: r(".logo").left, langsLeft: r(".langs").left,
    h1Left: r("main h1").left, h1Right: r("main h1").right,
    h1TextLeft: text("main h1").left, h1TextRight: text("main h1").right,
    overflowing: over.slice(0, 5).join(" "),
  };
})()`

const hintJS = `(() => {
  const t = document.getElementById("msisdn-hint").firstChild, s = t.data;
  const left = (needle) => { const i = s.indexOf(needle), r = document.createRange(); r.setStart(t, i); r.setEnd(t, i + needle.length); return r.getBoundingClientRect().left; };
  return [left("06"), left("78"), left("مثلا")];
})()`

// check captures a page at both widths and checks its layout.
func check(t *testing.T, ctx context.Context, dir, lang, name string) {
	t.Helper()
	for _, v := range viewports {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
		if v.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height, opts...)); err != nil {
			t.Fatal(err)
		}
		l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutJS))
		if err != nil {
			t.Fatal(err)
		}
		where := fmt.Sprintf("%s %s at %s", name, lang, v.name)
		if l.ScrollWidth > l.ClientWidth || l.Overflowing != "" {
			t.Errorf("%s: horizontal overflow: %v > %v (%s)", where, l.ScrollWidth, l.ClientWidth, l.Overflowing)
		}
		if l.Lang != lang {
			t.Errorf("%s: lang %q", where, l.Lang)
		}
		wantDir := "ltr"
		if lang == "ar" {
			wantDir = "rtl"
		}
		if l.Dir != wantDir || l.Direction != wantDir {
			t.Errorf("%s: dir %q, direction %q, want %s", where, l.Dir, l.Direction, wantDir)
		}
		// Right to left for real: the logo, first in the header, sits on
		// the right of the language switch, and headings start on the
		// right.
		if v.name == "desktop" {
			rtl := l.LogoLeft > l.LangsLeft
			if rtl != (lang == "ar") {
				t.Errorf("%s: logo at %v, languages at %v", where, l.LogoLeft, l.LangsLeft)
			}
		}
		if lang == "ar" && (l.H1Right-l.H1TextRight > 2 || l.H1TextLeft-l.H1Left < 10) {
			t.Errorf("%s: the heading's text spans %v-%v in a box %v-%v: not set right to left", where, l.H1TextLeft, l.H1TextRight, l.H1Left, l.H1Right)
		}
		if lang != "ar" && l.H1TextLeft-l.H1Left > 2 {
			t.Errorf("%s: the heading's text starts %v px into its box", where, l.H1TextLeft-l.H1Left)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.png", name, lang, v.name))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// In each language, a subscriber opens the page, proves a number with
// the code the SMS brought, and stops a brand; every page is captured and
// checked at phone and desktop widths.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	browser := newChromium(t)
	e := newEnv(t)
	dir := artifactsDir(t)
	for i, lang := range []string{"fr", "ar", "en"} {
		t.Run(lang, func(t *testing.T) {
			number := fmt.Sprintf("+21261234560%d", i)
			typed := fmt.Sprintf("06 12 34 56 0%d", i)
			ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancel()
			ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
			defer cancel()
			step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
				t.Helper()
				if err := chromedp.Do(ctx, steps...); err != nil {
					t.Fatalf("%s: %v", what, err)
				}
			}
			step("open", chromedp.Navigate(e.ts.URL+"/subscriber/?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#msisdn")))
			check(t, ctx, dir, lang, "1-start")
			if lang == "ar" {
				// Numbers inside Arabic text keep their digits' order: the
				// example 06 12 34 56 78 reads left to right, at the left
				// of the Arabic word that introduces it.
				pos, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](hintJS))
				if err != nil || len(pos) != 3 || !(pos[0] < pos[1] && pos[1] < pos[2]) {
					t.Errorf("the example number is laid out %v (%v): want 06, then 78, then مثلا from left to right", pos, err)
				}
			}
			// A wrong number first: the error shows in the language.
			step("bad number", chromedp.SendKeys(chromedp.CSS("#msisdn"), "0522"), chromedp.Submit(chromedp.CSS("#msisdn")), chromedp.WaitVisible(chromedp.CSS(".alert.error")))
			check(t, ctx, dir, lang, "2-start-error")
			step("number", chromedp.SendKeys(chromedp.CSS("#msisdn"), typed), chromedp.Submit(chromedp.CSS("#msisdn")), chromedp.WaitVisible(chromedp.CSS("#code")))
			check(t, ctx, dir, lang, "3-verify")
			code := e.sender.lastCode(t, number)
			step("code", chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS("#national-h")))
			check(t, ctx, dir, lang, "4-home")
			stop := `form:has(input[name="scope"][value="advertiser:atlas-market"]) button`
			step("stop", chromedp.Click(chromedp.CSS(stop)), chromedp.WaitVisible(chromedp.CSS(".alert.ok")))
			check(t, ctx, dir, lang, "5-stopped")
			in, err := e.store.Oppositions.FindOppositionsInForce(context.Background(), number)
			if err != nil || len(in) != 1 || in[0].Scope.String() != "advertiser:atlas-market" {
				t.Fatalf("register after the click: %+v %v", in, err)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".alert.ok")))
			if err != nil || !strings.Contains(text, "Atlas Market") {
				t.Errorf("confirmation %q %v", text, err)
			}
		})
	}
}
