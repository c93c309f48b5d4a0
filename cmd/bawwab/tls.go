package main

import (
	"crypto/tls"
	"fmt"
	"net"
)

// tlsConfig loads the listeners' certificate, when one is configured.
func (l ListenConfig) tlsConfig() (*tls.Config, error) {
	if l.TLSCertFile == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(l.TLSCertFile, l.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("listen.tls_cert_file: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func tlsListener(ln net.Listener, cfg *tls.Config) net.Listener { return tls.NewListener(ln, cfg) }
