package sim

import (
	"context"
	"github.com/bawwab/bawwab/internal/peer"
	"strings"
	"sync"
	"testing"
	"time"
)

var testBrands = []Brand{
	{Sender: "ATLASMKT", Name: "Atlas Market", Commercial: true, OptOut: "5050"},
	{Sender: "ATLASINFO", Name: "Atlas Market"},
	{Sender: "SAHARA", Name: "Sahara Voyages", Commercial: true},
}

func TestGeneratorMix(t *testing.T) {
	pool := SubscriberPool(100, 1)
	if len(pool) != 100 || !strings.HasPrefix(pool[0], "+2126") || len(pool[0]) != 13 {
		t.Fatalf("pool %v", pool[:3])
	}
	g, err := NewGenerator(testBrands, pool, "3030", Mix{}, 7)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[Intent]int{}
	langs := map[string]int{}
	for range 2000 {
		m := g.Next()
		counts[m.Intent]++
		langs[m.Lang]++
		hasStop := strings.Contains(m.Text, "STOP") || strings.Contains(m.Text, "Stop SMS")
		switch m.Intent {
		case Compliant:
			if !hasStop || (m.Sender == "SAHARA" && !strings.Contains(m.Text, "3030")) || (m.Sender == "ATLASMKT" && !strings.Contains(m.Text, "5050")) {
				t.Fatalf("compliant without its channel: %+v", m)
			}
		case NoOptOut, Mislabelled, Transactional:
			if hasStop {
				t.Fatalf("%s with an opt-out instruction: %+v", m.Intent, m)
			}
		}
		if (m.Intent == Transactional || m.Intent == Mislabelled) != (m.Sender == "ATLASINFO") {
			t.Fatalf("%s under %s", m.Intent, m.Sender)
		}
		if strings.Contains(m.Text, "{") {
			t.Fatalf("template left: %q", m.Text)
		}
	}
	for i, share := range []float64{DefaultMix.Compliant, DefaultMix.NoOptOut, DefaultMix.Transactional, DefaultMix.Mislabelled} {
		got := float64(counts[Intent(i)]) / 2000
		if got < share*0.7 || got > share*1.3 {
			t.Errorf("%s: %.3f of the messages, want about %.2f", Intent(i), got, share)
		}
	}
	for _, l := range []string{"fr", "ar", "dar", "dar-latn"} {
		if langs[l] == 0 {
			t.Errorf("no message in %s", l)
		}
	}
}

// A provider sends at its rate to an SMSC (standing in for the gateway)
// and counts the answers.
func TestProviderSends(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	g, _ := NewGenerator(testBrands, SubscriberPool(10, 2), "3030", Mix{}, 3)
	var mu sync.Mutex
	var results int
	p, err := NewProvider(ProviderConfig{Addr: s.Addr().String(), SystemID: "atlasvas", Password: "atlasvas",
		Generator: g, Rate: 200, OnResult: func(m Message, err error) {
			mu.Lock()
			results++
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // once it has sent, not after a fixed 300 ms
		peer.Eventually(10*time.Second, func() bool { return p.Stats().Accepted >= 3 })
		cancel()
	}()
	if err := p.Run(ctx); err != nil {
		t.Fatal(err)
	}
	st := p.Stats()
	if st.Sent == 0 || st.Accepted == 0 || st.Refused != 0 {
		t.Errorf("stats %+v", st)
	}
	if got := s.Stats().Submits; got < st.Accepted {
		t.Errorf("the SMSC got %d submits for %d accepted messages", got, st.Accepted)
	}
	// A provider that cannot bind says so.
	bad, _ := NewProvider(ProviderConfig{Addr: "127.0.0.1:1", Generator: g})
	if err := bad.Run(context.Background()); err == nil {
		t.Error("no error from a provider that cannot bind")
	}
}

func TestSubscribers(t *testing.T) {
	var mos []MO
	subs, err := NewSubscribers(SubscribersConfig{NationalStop: "3030", Complaint: "3300", Seed: 5,
		Deliver: func(_ context.Context, from, to, text string) error {
			mos = append(mos, MO{From: from, To: to, Text: text})
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := subs.Next(); ok {
		t.Fatal("an MO before any message was received")
	}
	subs.Received("+212661234567", "ATLASMKT", "Atlas Market : -30% ce week-end ! STOP au 5050")
	subs.Received("+212663234567", "SAHARA", "Sahara Voyages : promo !")
	kinds := map[string]int{}
	for range 300 {
		mo, ok := subs.Next()
		if !ok {
			t.Fatal("no MO")
		}
		switch {
		case mo.To == "3300":
			kinds["complaint"]++
			if !strings.Contains(mo.Text, "promo") && !strings.Contains(mo.Text, "-30%") {
				t.Errorf("complaint %q", mo.Text)
			}
		case strings.HasPrefix(mo.Text, "START"):
			kinds["start"]++
		case mo.To == "5050":
			kinds["stop-advertiser"]++
			if mo.From != "+212661234567" || mo.Text != "STOP" {
				t.Errorf("STOP to 5050: %+v", mo)
			}
		case mo.To == "3030":
			kinds["stop-national"]++
			if mo.Text != "STOP" && mo.Text != "STOP ATLASMKT" && mo.Text != "STOP SAHARA" {
				t.Errorf("STOP to 3030: %+v", mo)
			}
		default:
			t.Errorf("unexpected MO %+v", mo)
		}
	}
	for _, k := range []string{"complaint", "start", "stop-advertiser", "stop-national"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in %v", k, kinds)
		}
	}
	st := subs.Stats()
	if st.Stops+st.Starts+st.Complaints != 300 {
		t.Errorf("stats %+v", st)
	}
}
