package compliance

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/optout"
)

func TestNewView(t *testing.T) {
	v, err := NewView(testRegistry())
	must(t, err)
	if v.Seq() != 42 || v.National() != "3030" {
		t.Errorf("seq %d national %q", v.Seq(), v.National())
	}
	want := []string{
		`account orphan: provider "ghostvas" is not in the registry`,
		`contract atlas-mvno: operator "mvno": unknown operator (want iam, orange or inwi)`,
	}
	if got := v.Skipped(); !slices.Equal(got, want) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for name, f := range map[string]func(*bawwab.Registry){
		"two national channels": func(r *bawwab.Registry) {
			r.Channels = append(r.Channels, &bawwab.Channel{Code: "3031", Scope: bawwab.ChannelNational, Free: true})
		},
		"provider twice":   func(r *bawwab.Registry) { r.Providers = append(r.Providers, r.Providers[0]) },
		"account twice":    func(r *bawwab.Registry) { r.Accounts = append(r.Accounts, r.Accounts[0]) },
		"advertiser twice": func(r *bawwab.Registry) { r.Advertisers = append(r.Advertisers, r.Advertisers[0]) },
		"sender twice":     func(r *bawwab.Registry) { r.SenderIDs = append(r.SenderIDs, r.SenderIDs[0]) },
	} {
		r := testRegistry()
		f(r)
		if _, err := NewView(r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	// A paying national channel is no national channel.
	r := testRegistry()
	r.Channels[0].Free = false
	v, err = NewView(r)
	must(t, err)
	if v.National() != "" {
		t.Error("a paying national channel was taken")
	}
}

func TestNewErrors(t *testing.T) {
	v, err := NewView(testRegistry())
	must(t, err)
	opp := IndexOppositions(optout.New())
	if _, err := New(DefaultConfig(), nil, Deps{Oppositions: opp}); err == nil {
		t.Error("no view accepted")
	}
	if _, err := New(DefaultConfig(), v, Deps{}); err == nil {
		t.Error("no oppositions accepted")
	}
	cfg := DefaultConfig()
	cfg.Consent = true
	if _, err := New(cfg, v, Deps{Oppositions: opp}); err == nil {
		t.Error("consent mode without consents accepted")
	}
	cfg.CapTotal = -1
	if _, err := New(cfg, v, Deps{Oppositions: opp}); err == nil {
		t.Error("bad config accepted")
	}
	e, err := New(DefaultConfig(), v, Deps{Oppositions: opp})
	must(t, err)
	if e.SetView(nil) == nil || e.SetOppositions(nil) == nil {
		t.Error("nil view or oppositions swapped in")
	}
	if e.View() != v {
		t.Error("the view changed after failed swaps")
	}
}

// TestSwap: a registry change, a STOP, a rebuilt index and a new
// configuration are each in force for the next decision.
func TestSwap(t *testing.T) {
	e := newTestEnv(t, DefaultConfig())
	decide := func() Result {
		s := e.submission()
		s.Recipient = number(t, "0611000001")
		return e.eng.Decide(&s)
	}
	if r := decide(); r.Outcome != bawwab.Accept {
		t.Fatal(r.Explain())
	}

	// A STOP applied to the live index.
	e.opp.stop(t, bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "atlas-market"}, number(t, "0611000001"))
	if r := decide(); r.Detail != OpposedAdvertiser {
		t.Fatalf("after the STOP: %s", r.Explain())
	}

	// An index rebuilt without it.
	ix := optout.New()
	must(t, e.eng.SetOppositions(IndexOppositions(ix)))
	if r := decide(); r.Outcome != bawwab.Accept {
		t.Fatalf("after the new index: %s", r.Explain())
	}

	// The provider suspended in the registry.
	reg := testRegistry()
	reg.Seq++
	reg.Providers[0].Status = bawwab.ProviderSuspended
	v, err := NewView(reg)
	must(t, err)
	must(t, e.eng.SetView(v))
	if r := decide(); r.Detail != ProviderNotAllowed {
		t.Fatalf("after the suspension: %s", r.Explain())
	}

	// A new advertiser and sender ID: its opposition scope is resolved when
	// the view is bound, so a STOP to it is seen.
	reg = testRegistry()
	reg.Advertisers = append(reg.Advertisers, &bawwab.Advertiser{ID: "nouveau", Name: "Nouveau", ProviderIDs: []string{"atlasvas"}})
	reg.SenderIDs = append(reg.SenderIDs, &bawwab.SenderID{Value: "NOUVEAU", ProviderID: "atlasvas", AdvertiserID: "nouveau", Category: bawwab.CategoryCommercial})
	v, err = NewView(reg)
	must(t, err)
	must(t, e.eng.SetView(v))
	seq := ix.Seq() + 1
	_, err = ix.Apply(bawwab.Opposition{Seq: seq, MSISDN: "+212611000001", Scope: bawwab.Scope{Kind: bawwab.ScopeAdvertiser, ID: "nouveau"}, Action: bawwab.ActionStop})
	must(t, err)
	s := e.submission()
	s.Recipient, s.Sender = number(t, "0611000001"), "NOUVEAU"
	if r := e.eng.Decide(&s); r.Detail != OpposedAdvertiser || r.AdvertiserID != "nouveau" {
		t.Fatalf("new advertiser: %s", r.Explain())
	}
}

// TestSwapConcurrent decides while views and configurations are swapped:
// every decision is taken on one whole state (run with -race).
func TestSwapConcurrent(t *testing.T) {
	e := newTestEnv(t, DefaultConfig())
	monitor := DefaultConfig()
	monitor.Rules.Set(R4, RuleMode{Mode: bawwab.Monitor})
	monitor.CapPerAdvertiser, monitor.CapTotal = 0, 0
	enforce := DefaultConfig()
	enforce.CapPerAdvertiser, enforce.CapTotal = 0, 0
	versions := map[string]bawwab.Outcome{monitor.Version(): bawwab.Accept, enforce.Version(): bawwab.Reject}
	must(t, e.eng.SetConfig(enforce))
	var wg sync.WaitGroup
	stopSwapping := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stopSwapping:
				return
			default:
			}
			cfg := enforce
			if i%2 == 1 {
				cfg = monitor
			}
			must(t, e.eng.SetConfig(cfg))
			v, err := NewView(testRegistry())
			must(t, err)
			must(t, e.eng.SetView(v))
		}
	}()
	var deciders sync.WaitGroup
	for range 4 {
		deciders.Add(1)
		go func() {
			defer deciders.Done()
			d := e.eng.NewDecider()
			for range 300 {
				s := e.submission()
				s.Text = textMissing
				r := d.Decide(&s)
				want, ok := versions[r.RuleSet]
				if !ok || r.Outcome != want {
					t.Errorf("rule set %s decided %s", r.RuleSet, r.Decision)
				}
			}
		}()
	}
	deciders.Wait()
	close(stopSwapping)
	wg.Wait()
}
