package sanction_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/complaint"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/report"
	"github.com/bawwab/bawwab/sanction"
	"github.com/bawwab/bawwab/sqlite"
)

// The gateway's wiring of control by the regulators: at start, the report
// feeder catches up with the ledger and the monitor loads its counters;
// then, per decision, the fingerprint goes into the entry and the entry
// to Observe; MO messages to the complaint code go to the desk, whose
// confirmations the monitor counts; OnChange applies a measure at once.
func Example() {
	dir, _ := os.MkdirTemp("", "bawwab-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		panic(err)
	}
	defer db.Close()
	st := db.Store()
	st.Registry.CreateProvider(ctx, &bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT/VAS/2024/017", DeclaredAt: time.Now().AddDate(-1, 0, 0)})
	os.MkdirAll(filepath.Join(dir, "keys"), 0o700)
	keys, _ := ledger.OpenKeyring(filepath.Join(dir, "keys", "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	l, err := ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "keys", "signing.key"), Origin: "node1", Keyring: keys})
	if err != nil {
		panic(err)
	}
	defer l.Close()

	// At start.
	feeder := &report.Feeder{Store: st.Reports, Ledger: l, Origin: "node1"}
	feeder.CatchUp(ctx)
	cfg := sanction.DefaultConfig()
	cfg.Rules = append(cfg.Rules, sanction.Rule{Name: "opposed", Counter: sanction.Counter(bawwab.ReasonRecipientOptedOut), Window: 24 * time.Hour, Suspension: 2})
	mon, err := sanction.New(sanction.Options{Config: cfg, Measures: st.Measures, Complaints: st.Complaints, Reports: st.Reports,
		Ledger: l, Origin: "node1",
		OnChange: func(provider string, s sanction.Status) { fmt.Println("gateway:", provider, "is now under", s.Kind) }})
	if err != nil {
		panic(err)
	}
	if err := mon.Load(ctx); err != nil {
		panic(err)
	}
	desk := &complaint.Desk{Store: st.Complaints, Ledger: l, Origin: "node1", Keys: keys, OnConfirmed: mon.ObserveComplaint}
	_ = desk // desk.IntakeSMS(ctx, from, "3300", text, at) for each MO to the complaint code

	// Per decision: the entry the gateway appends, then Observe.
	text := "Atlas Market : -30% ce week-end ! STOP au 5050"
	for range 2 {
		e := &bawwab.LedgerEntry{ProviderID: "atlasvas", SenderID: "ATLASMKT", OperatorID: "iam", MSISDN: "+212661234567",
			Text: text, Fingerprint: complaint.Fingerprint(text)}
		e.SetDecision(bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonRecipientOptedOut, RuleSet: "r1"})
		if _, err := l.Append(ctx, e); err != nil {
			panic(err)
		}
		mon.Observe(e, bawwab.CategoryCommercial)
	}
	fmt.Println("suspended on this node:", mon.Status("atlasvas").Suspended())

	// In the background (mon.Run does it as soon as a measure is raised):
	// the store, the ledger and the provider's notification.
	mon.Flush(ctx)
	p, _ := st.Registry.FindProviderByID(ctx, "atlasvas")
	fmt.Println("status on every node:", p.Status)
	// Output:
	// gateway: atlasvas is now under suspension
	// suspended on this node: true
	// status on every node: suspended
}
