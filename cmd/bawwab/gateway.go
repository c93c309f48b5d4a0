package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/optout"
	"github.com/bawwab/bawwab/proxy"
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
		Logger:          n.log,
		Registerer:      n.Metrics,
		Now:             n.now,
	}
	// A store that keeps an outbox keeps the receipts waiting for a
	// provider's receiver bind across restarts.
	if ob, ok := n.Store.Registry.(bawwab.OutboxService); ok {
		opts.Outbox = ob
	}
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

// mountParts mounts the gateway's, the console's and the subscriber's
// handlers.
func (n *Node) mountParts(mux *http.ServeMux) {
	if n.proxy != nil {
		h := n.proxy.HTTPHandler()
		mux.Handle("/api/v1/messages", h)
		mux.Handle("/api/v1/messages/", h)
		mux.Handle("/cgi-bin/sendsms", h)
	}
}

// createConsoleAccounts creates the demo's console users (inspector, a
// regulator; atlasvas, a provider), once the web package provides it.
func (n *Node) createConsoleAccounts(ctx context.Context) error { return nil }

// waitLinks waits until every SMSC link has a bind up.
func (n *Node) waitLinks(ctx context.Context) error {
	if n.proxy == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return n.proxy.Ready(ctx)
}
