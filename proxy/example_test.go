package proxy_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/compliance"
	"github.com/bawwab/bawwab/internal/secret"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/sim"
	"github.com/bawwab/bawwab/smpp"
	"github.com/bawwab/bawwab/sqlite"
)

// The gateway's wiring: the store (registry, oppositions, outbox), the
// durable ledger, the rules over the opposition index, the recorder that
// puts STOPs in force, and the operators' SMSC links; then a provider
// binds and submits.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "bawwab-proxy-example")
	defer os.RemoveAll(dir)
	db := sqlite.NewDB(filepath.Join(dir, "bawwab.db"))
	if err := db.Open(ctx); err != nil {
		panic(err)
	}
	defer db.Close()
	st := db.Store()

	// The registry: a provider, its SMPP account (the password hashed), a
	// sender ID and an opt-out channel.
	hash, _ := secret.HashWith(secret.Params{Time: 1, Memory: 64, Threads: 1, KeyLen: 16, SaltLen: 8}, rand.Reader, "pw123456")
	declared := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	records := []bawwab.Record{
		&bawwab.Operator{ID: "iam", Name: "Maroc Telecom"},
		&bawwab.Provider{ID: "atlasvas", Name: "Atlas VAS", ANRTDeclaration: "ANRT-17", DeclaredAt: declared},
		&bawwab.Account{ID: "atlas", ProviderID: "atlasvas", Kind: bawwab.AccountSMPP, SecretHash: hash},
		&bawwab.Contract{ID: "c1", ProviderID: "atlasvas", OperatorID: "iam", ValidFrom: declared},
		&bawwab.Advertiser{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}},
		&bawwab.SenderID{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
		&bawwab.Channel{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
	}
	st.Registry.ImportRegistry(ctx, func(yield func(bawwab.Record, error) bool) {
		for _, r := range records {
			if !yield(r, nil) {
				return
			}
		}
	})

	keys, _ := ledger.OpenKeyring(filepath.Join(dir, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	l, err := ledger.Open(filepath.Join(dir, "ledger"), ledger.Options{SigningKeyFile: filepath.Join(dir, "signing.key"), Keyring: keys})
	if err != nil {
		panic(err)
	}
	defer l.Close()
	ix := optout.New() // optout.Load or optout.Build in the product
	snap, _ := st.Registry.Snapshot(ctx)
	view, _ := compliance.NewView(snap)
	engine, _ := compliance.New(compliance.DefaultConfig(), view, compliance.Deps{Oppositions: compliance.IndexOppositions(ix)})

	// The operator (simulated here).
	iam, _ := sim.NewSMSC(sim.SMSCConfig{Name: "iam"})
	iam.Start()
	defer iam.Shutdown(ctx)

	casablanca, _ := time.LoadLocation("Africa/Casablanca")
	gw, err := proxy.New(proxy.Options{
		Registry:    st.Registry,
		Feed:        st.Feed,
		Ledger:      l,
		Engine:      engine,
		Operators:   msisdn.NewOperators(),
		Oppositions: optout.NewRecorder(st.Oppositions, ix, l),
		Outbox:      st.Outbox,
		SMSCs:       []proxy.SMSCConfig{{Operator: "iam", Addr: iam.Addr().String(), SystemID: "bawwab", Password: "secret"}},
		Now:         func() time.Time { return time.Date(2026, 5, 5, 10, 0, 0, 0, casablanca) },
	})
	if err != nil {
		panic(err)
	}
	if err := gw.Start(ctx); err != nil {
		panic(err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	go gw.Serve(ln)
	defer gw.Shutdown(ctx)
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := gw.Ready(wait); err != nil {
		panic(err)
	}

	// A provider binds and submits.
	c, err := smpp.Dial(ctx, ln.Addr().String(), smpp.DialOptions{SystemID: "atlas", Password: "pw123456"})
	if err != nil {
		panic(err)
	}
	defer c.Unbind(ctx)
	for _, text := range []string{"Atlas Market : -30% ce week-end ! STOP au 5050", "Atlas Market : -30% ce week-end !"} {
		resp, err := c.Send(ctx, smpp.SubmitSM, &smpp.Body{
			Source:       smpp.Address{TON: smpp.TONAlphanumeric, Addr: "ATLASMKT"},
			Dest:         smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212661234567"},
			ShortMessage: []byte(text),
		})
		var status smpp.Status
		if errors.As(err, &status) {
			reason, _ := bawwab.ReasonForSMPPStatus(uint32(status))
			fmt.Printf("refused 0x%03X %s\n", uint32(status), reason)
			continue
		}
		fmt.Println("accepted, the SMSC's message id:", string(resp.MessageID()))
	}
	fmt.Printf("%+v\n", gw.Stats().RejectedBy)
	// Output:
	// accepted, the SMSC's message id: 1
	// refused 0x403 optout-mention-missing
	// map[optout-mention-missing:1]
}
