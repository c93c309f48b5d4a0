package smpp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"
)

// DialOptions configure the ESME side of a session.
type DialOptions struct {
	Kind             BindKind // default Transceiver
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion byte // default 0x34
	AddressRange     Address
	// TLS, if set, connects over TLS.
	TLS *tls.Config
	// Dialer, if set, opens the connection (default: a net.Dialer).
	Dialer interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	}
	// BindTimeout bounds connecting and binding (default 10 s), on top of
	// ctx.
	BindTimeout time.Duration
	// Conn configures the session; its Handler serves the SMSC's requests
	// (deliver_sm: receipts and MO messages).
	Conn ConnOptions
}

// Dial connects to an SMSC at addr and binds. A refused bind returns the
// bind_resp's Status as the error (errors.Is(err, StatusInvalidPassword)).
// Reconnecting is the caller's business; see Redial.
func Dial(ctx context.Context, addr string, opts DialOptions) (*Conn, error) {
	if opts.Kind == 0 {
		opts.Kind = Transceiver
	}
	if opts.InterfaceVersion == 0 {
		opts.InterfaceVersion = 0x34
	}
	if opts.BindTimeout <= 0 {
		opts.BindTimeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, opts.BindTimeout)
	defer cancel()
	var d interface {
		DialContext(ctx context.Context, network, addr string) (net.Conn, error)
	} = &net.Dialer{}
	if opts.Dialer != nil {
		d = opts.Dialer
	}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smpp: dial %s: %w", addr, err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	if opts.TLS != nil {
		cfg := opts.TLS
		if cfg.ServerName == "" {
			cfg = cfg.Clone()
			cfg.ServerName, _, _ = net.SplitHostPort(addr)
		}
		tc := tls.Client(nc, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, fmt.Errorf("smpp: dial %s: tls: %w", addr, err)
		}
		nc = tc
	}
	c, err := bind(ctx, nc, opts)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("smpp: bind %s as %q: %w", addr, opts.SystemID, err)
	}
	return c, nil
}

func bind(ctx context.Context, nc net.Conn, opts DialOptions) (*Conn, error) {
	stop := context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	cmd := opts.Kind.Command()
	if cmd == 0 {
		return nil, fmt.Errorf("bad bind kind %v", opts.Kind)
	}
	b := &Body{SystemID: opts.SystemID, Password: opts.Password, SystemType: opts.SystemType,
		InterfaceVersion: opts.InterfaceVersion, AddressRange: opts.AddressRange}
	raw, err := b.Encode(cmd, 0, 1)
	if err != nil {
		return nil, err
	}
	if _, err := nc.Write(raw); err != nil {
		return nil, err
	}
	r := NewReader(nc, opts.Conn.MaxCommandLength)
	var p PDU
	for {
		raw, err := r.Read(nil)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		if err := p.Decode(raw); err != nil {
			return nil, err
		}
		switch p.CommandID() {
		case cmd.Response(), GenericNack:
		case EnquireLink:
			nc.Write(AppendHeaderOnly(nil, EnquireLinkResp, StatusOK, p.Seq()))
			continue
		default:
			continue
		}
		break
	}
	if p.Seq() != 1 {
		return nil, fmt.Errorf("%w: bind response with sequence number %d", ErrBadResponse, p.Seq())
	}
	if err := p.Status().Err(); err != nil {
		return nil, err
	}
	if p.CommandID() == GenericNack {
		return nil, fmt.Errorf("%w: generic_nack to bind", ErrBadResponse)
	}
	if !stop() {
		return nil, ctx.Err()
	}
	nc.SetDeadline(time.Time{})
	c := newConn(nc, r, true, opts.Kind, string(p.SystemID()), 1, opts.Conn)
	c.start()
	return c, nil
}

// Redial calls Dial until it succeeds or ctx ends, waiting between
// attempts from min doubling to max. A refused bind (a Status) is not
// retried unless it is temporary: a wrong password will not get better.
func Redial(ctx context.Context, addr string, opts DialOptions, minDelay, maxDelay time.Duration) (*Conn, error) {
	delay := minDelay
	for {
		c, err := Dial(ctx, addr, opts)
		if err == nil {
			return c, nil
		}
		var st Status
		if errors.As(err, &st) && !st.Temporary() {
			return nil, err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		case <-t.C:
		}
		delay = min(2*delay, maxDelay)
	}
}
