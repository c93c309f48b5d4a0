package proxy_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/smpp"
)

// sendLong submits a long text as a concatenated message, with at most
// window parts outstanding, and returns each part's answer in part order.
func sendLong(t *testing.T, c *smpp.Conn, sender, dest, text string, window int) (ids []string, errs []error) {
	t.Helper()
	sp, err := (&smpp.Splitter{}).Split(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.Parts) < 2 {
		t.Fatalf("text of %d parts", len(sp.Parts))
	}
	bodies := sp.Bodies(*body(sender, dest, ""))
	ids, errs = make([]string, len(bodies)), make([]error, len(bodies))
	sem := make(chan struct{}, window)
	var wg sync.WaitGroup
	for i, b := range bodies {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			resp, err := c.Send(context.Background(), smpp.SubmitSM, b)
			errs[i] = err
			if resp != nil {
				ids[i] = string(resp.MessageID())
			}
		}()
		if window == 1 {
			wg.Wait()
		}
	}
	wg.Wait()
	return ids, errs
}

var longCompliant = "Atlas Market : grande braderie de printemps ! Jusqu'à -50% sur l'électroménager, " +
	"-30% sur les vêtements et des offres exclusives sur les produits frais tout le week-end dans tous nos magasins " +
	"de Casablanca, Rabat et Marrakech. Profitez-en vite, quantités limitées. STOP au 5050"

var longArabic = "أطلس ماركت: تخفيضات الربيع الكبرى! حتى 50% على الأجهزة المنزلية و30% على الملابس وعروض حصرية على المنتجات الطازجة " +
	"طوال نهاية الأسبوع في جميع متاجرنا. STOP au 5050"

var longRefused = strings.ReplaceAll(longCompliant, " STOP au 5050", " Offre valable jusqu'à dimanche soir.")

// TestConcat: a concatenated message is decided whole; with a window of 1
// every part but the last is answered at once with an id of Bawwab's; an
// accepted message reaches the SMSC part by part and each part's receipt
// comes back under the id the provider was given; for a refused one the
// last part carries the reason's status and the earlier parts get
// stat:REJECTD receipts with the reason's error code.
func TestConcat(t *testing.T) {
	for _, window := range []int{1, 10} {
		for _, tc := range []struct {
			name, text string
			refuse     bawwab.Reason
		}{
			{"french", longCompliant, ""},
			{"arabic", longArabic, ""},
			{"refused", longRefused, bawwab.ReasonOptOutMentionMissing},
		} {
			t.Run(tc.name+"/window"+string(rune('0'+window/10))+string(rune('0'+window%10)), func(t *testing.T) {
				e := newEnv(t, envOptions{})
				p := e.bind("atlas", smpp.Transceiver, window)
				ids, errs := sendLong(t, p.conn, "ATLASMKT", iamNumber, tc.text, window)
				n := len(ids)
				// Which part completed the message depends on arrival
				// order with a window above 1: exactly one carries the
				// decision.
				var decided, early int
				for i := range n {
					switch {
					case errs[i] == nil && strings.HasPrefix(ids[i], "B"):
						early++
					case tc.refuse == "" && errs[i] == nil:
						decided++
					case tc.refuse != "" && errors.Is(errs[i], status(tc.refuse)):
						decided++
					default:
						t.Errorf("part %d: id %q, err %v", i+1, ids[i], errs[i])
					}
				}
				if decided != 1 || early != n-1 {
					t.Fatalf("%d parts decided, %d answered early, of %d", decided, early, n)
				}
				if window == 1 && !strings.HasPrefix(ids[0], "B") {
					t.Errorf("first part answered %q", ids[0])
				}
				ds := e.decisions()
				if len(ds) != 1 || ds[0].Text != tc.text {
					t.Fatalf("ledger: %d decisions, text %q", len(ds), ds[0].Text)
				}
				if tc.refuse == "" {
					e.mu.Lock()
					reached := len(e.submitted["iam"])
					e.mu.Unlock()
					if reached != n {
						t.Errorf("%d parts reached the SMSC, want %d", reached, n)
					}
					p.waitFor(t, "a receipt per part", func() bool { return len(p.receipts) == n })
					got := map[string]bool{}
					for _, r := range p.receipts {
						got[r.ID] = true
					}
					for i, id := range ids {
						if !got[id] {
							t.Errorf("no receipt for part %d (%s): %v", i+1, id, got)
						}
					}
					return
				}
				if got := e.reached("iam", ""); got != 0 {
					t.Errorf("%d parts of a refused message reached the SMSC", got)
				}
				p.waitFor(t, "REJECTD receipts", func() bool { return len(p.receipts) == n-1 })
				for _, r := range p.receipts {
					if r.Stat != "REJECTD" || r.Err != "403" || !strings.HasPrefix(r.ID, "B") {
						t.Errorf("receipt %+v", r)
					}
				}
			})
		}
	}
}

// TestConcatIncomplete: parts whose message never completes are refused
// with receipts once the reassembly times out, and the ledger says so.
func TestConcatIncomplete(t *testing.T) {
	e := newEnv(t, envOptions{concatTimeout: 300 * time.Millisecond})
	p := e.bind("atlas", smpp.Transceiver, 1)
	sp, err := (&smpp.Splitter{}).Split(longCompliant)
	if err != nil {
		t.Fatal(err)
	}
	bodies := sp.Bodies(*body("ATLASMKT", iamNumber, ""))
	resp, err := p.conn.Send(e.ctx, smpp.SubmitSM, bodies[0])
	if err != nil {
		t.Fatal(err)
	}
	id := string(resp.MessageID())
	p.waitFor(t, "the REJECTD receipt", func() bool { return len(p.receipts) == 1 })
	if r := p.receipts[0]; r.ID != id || r.Stat != "REJECTD" || r.Err != "40A" {
		t.Errorf("receipt %+v", r)
	}
	waitUntil(t, "the ledger entry", func() bool { return len(e.decisions()) == 1 })
	if d := e.decisions()[0]; d.Reason != bawwab.ReasonConcatenationIncomplete {
		t.Errorf("entry %+v", d)
	}
	if e.reached("iam", "") != 0 {
		t.Error("a part reached the SMSC")
	}
}

// TestConcatBindLost: parts held for a message whose bind is gone are
// refused at once; their receipts wait for the provider's next receiver
// bind.
func TestConcatBindLost(t *testing.T) {
	e := newEnv(t, envOptions{})
	p := e.bind("atlas", smpp.Transceiver, 1)
	sp, err := (&smpp.Splitter{}).Split(longCompliant)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.conn.Send(e.ctx, smpp.SubmitSM, sp.Bodies(*body("ATLASMKT", iamNumber, ""))[0])
	if err != nil {
		t.Fatal(err)
	}
	p.conn.Close()
	waitUntil(t, "the refusal", func() bool { return e.gw.Stats().RejectedBy[bawwab.ReasonConcatenationIncomplete] == 1 })
	rx := e.bind("atlas", smpp.Receiver, 1)
	rx.waitFor(t, "the REJECTD receipt", func() bool { return len(rx.receipts) == 1 })
	if r := rx.receipts[0]; r.ID != string(resp.MessageID()) || r.Stat != "REJECTD" || r.Err != "40A" {
		t.Errorf("receipt %+v", r)
	}
}
