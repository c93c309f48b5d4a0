package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
	"github.com/bawwab/bawwab/web"
	"github.com/bawwab/bawwab/web/subscriber"
)

// startGateway builds the proxy (the providers' SMPP and HTTP side and the
// SMSC links) over the node's parts and brings up the SMSC links.
func (n *Node) startGateway(ctx context.Context) error {
	n.Recorder = optout.NewRecorder(n.Store.Oppositions, n.Index, n.Ledger)
	var links []proxy.SMSCConfig
	for _, s := range n.cfg.SMSC {
		l := proxy.SMSCConfig{Operator: s.Operator, Addr: s.Addr, SystemID: s.SystemID, Password: s.Password,
			SystemType: s.SystemType, Binds: s.Binds, Window: s.Window}
		if s.TLS {
			l.TLS = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		links = append(links, l)
	}
	opts := proxy.Options{
		Registry:        n.Store.Registry,
		Ledger:          n.Ledger,
		Engine:          n.Engine,
		Operators:       n.Operators,
		Oppositions:     n.Recorder,
		Sanctions:       n.Monitor,
		Complaints:      n.Desk,
		SMSCs:           links,
		NationalChannel: n.cfg.Channels.NationalStop,
		ComplaintCode:   n.cfg.Channels.Complaint,
		MaxBinds:        n.cfg.Limits.MaxBinds,
		Window:          n.cfg.Limits.Window,
		RateLimit:       n.cfg.Limits.RateLimit,
		SMSCTimeout:     time.Duration(n.cfg.Limits.SMSCTimeout),
		CallbackAllow:   n.callbackAllow,
		Signer:          n.signer,
		Logger:          n.log,
		Registerer:      n.Metrics,
		Now:             n.now,
	}
	// The store's outbox keeps the receipts and MO waiting for a
	// provider's receiver bind, and the receipts' routes, across restarts.
	// No Feed: the node's follower applies the change feed (registry
	// changes through SetRegistry, oppositions, consents, ports) once for
	// every part.
	opts.Outbox = n.Store.Outbox
	g, err := proxy.New(opts)
	if err != nil {
		return err
	}
	if err := g.Start(ctx); err != nil {
		g.Shutdown(context.Background())
		return err
	}
	n.Gateway, n.proxy = g, g
	return nil
}

// registerGatewayMetrics adds the node's view of the gateway to the
// metrics; the proxy registers its own counters (Options.Registerer).
func (n *Node) registerGatewayMetrics(r *prometheus.Registry) {}

// mountParts mounts the gateway's routes, the subscriber's pages and API,
// and the console (web) for everything else.
func (n *Node) mountParts(mux *http.ServeMux) error {
	if n.proxy != nil {
		h := n.proxy.HTTPHandler()
		mux.Handle("/api/v1/messages", h)
		mux.Handle("/api/v1/messages/", h)
		mux.Handle("/cgi-bin/sendsms", h)
	}
	sub, err := n.subscriberServer()
	if err != nil {
		return fmt.Errorf("subscriber pages: %w", err)
	}
	if sub != nil {
		h := sub.Handler()
		mux.Handle("/subscriber/", h)
		mux.Handle("/api/v1/subscriber/", h)
	}
	console, err := n.webServer()
	if err != nil {
		return fmt.Errorf("console: %w", err)
	}
	mux.Handle("/", console.Handler())
	return nil
}

// webServer is the console and the JSON API. People's oppositions go
// through the recorder (store, ledger, index), like the gateway's.
func (n *Node) webServer() (*web.Server, error) {
	st := n.Store
	if n.Recorder != nil {
		st.Oppositions = n.Recorder
	}
	return web.New(web.Options{
		Store:          st,
		Users:          n.Users,
		Ledger:         n.Ledger,
		Audit:          n.Ledger,
		LedgerStatus:   n.ledgerStatus,
		Keys:           n.Keys,
		Complaints:     n.Desk,
		Sanctions:      n.Monitor,
		Logger:         n.log,
		Now:            n.now,
		SecureCookies:  n.cfg.Listen.HTTPTLS,
		TrustedOrigins: n.cfg.Listen.TrustedOrigins,
		OpenAPI:        [][]byte{subscriber.OpenAPI, proxy.OpenAPI},
	})
}

// subscriberServer is the subscribers' own pages; the codes go out as SMS
// through the gateway.
func (n *Node) subscriberServer() (*subscriber.Server, error) {
	if n.proxy == nil {
		return nil, nil
	}
	return subscriber.New(subscriber.Options{
		Sender:              n.proxy,
		From:                n.cfg.Channels.NationalStop,
		Oppositions:         n.Recorder,
		OppositionsLedgered: true,
		Ledger:              n.Ledger,
		Registry:            n.Store.Registry,
		ReceiptKeyFile:      filepath.Join(filepath.Dir(n.cfg.keyringFile()), "receipt.key"),
		InsecureCookies:     !n.cfg.Listen.HTTPTLS,
		TrustedOrigins:      n.cfg.Listen.TrustedOrigins,
		Logger:              n.log,
		Now:                 n.now,
	})
}

// ledgerStatus is what the console shows of the ledger: the latest signed
// checkpoint and the last verification, which runs in the background at
// start and every hour.
func (n *Node) ledgerStatus(ctx context.Context) (*web.LedgerStatus, error) {
	l := n.Ledger
	if l == nil {
		return nil, errors.New("the ledger is closed")
	}
	s := &web.LedgerStatus{Origin: n.cfg.Node, Entries: l.Stats().Entries, PublicKey: l.PublicKey()}
	if cp := l.LatestCheckpoint(); cp != nil {
		s.Checkpoint, s.CheckpointN, s.CheckpointTime = string(cp.Note), cp.N, cp.Time
	}
	if v := n.verified.Load(); v != nil {
		s.Verified, s.VerifiedAt, s.VerifiedEntries, s.Problem = v.Verified, v.VerifiedAt, v.VerifiedEntries, v.Problem
	}
	return s, nil
}

// verifyEvery verifies the ledger's files at start, and again once it
// has grown: after a wait of 50 times the last verification's length
// (verification runs at over a million entries a second), between 30
// seconds and every; an unchanged ledger is verified again every hour.
func (n *Node) verifyEvery(ctx context.Context, every time.Duration) {
	var last time.Time
	var lastEntries int64 = -1
	for {
		entries := n.Ledger.Stats().Entries
		took := time.Duration(0)
		if entries != lastEntries || time.Since(last) >= time.Hour {
			start := time.Now()
			n.verifyLedger(ctx)
			took, last, lastEntries = time.Since(start), time.Now(), entries
		}
		wait := min(every, max(30*time.Second, 50*took))
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func (n *Node) verifyLedger(ctx context.Context) {
	v, err := note.NewVerifier(n.Ledger.PublicKey())
	if err != nil {
		return
	}
	res := &web.LedgerStatus{VerifiedAt: n.now().UTC()}
	rep, err := ledger.VerifyDir(ctx, n.cfg.ledgerDir(), ledger.VerifyOptions{Keys: []note.Verifier{v}}, nil)
	switch {
	case ctx.Err() != nil:
		return
	case err != nil:
		res.Problem = err.Error()
		n.log.Error("ledger verification failed", "err", err)
	default:
		res.Verified, res.VerifiedEntries = true, rep.Entries
	}
	n.verified.Store(res)
}

// createConsoleAccounts creates the demo's console users: inspector (a
// regulator) and atlasvas (the provider's user).
func (n *Node) createConsoleAccounts(ctx context.Context) error {
	if _, err := web.EnsureUser(ctx, n.Users, "inspector", "inspector", bawwab.RoleRegulator, ""); err != nil {
		return fmt.Errorf("console account inspector: %w", err)
	}
	if _, err := web.EnsureUser(ctx, n.Users, "atlasvas", "atlasvas", bawwab.RoleProvider, "atlasvas"); err != nil {
		return fmt.Errorf("console account atlasvas: %w", err)
	}
	return nil
}

// waitLinks waits until every SMSC link has a bind up.
func (n *Node) waitLinks(ctx context.Context) error {
	if n.proxy == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return n.proxy.Ready(ctx)
}
