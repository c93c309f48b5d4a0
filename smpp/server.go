package smpp

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"
)

// BindRequest is what an ESME presented to bind.
type BindRequest struct {
	Kind             BindKind
	SystemID         string
	Password         string
	SystemType       string
	InterfaceVersion byte
	AddressRange     Address
	RemoteAddr       net.Addr
	// TLS is the state of the TLS connection, nil over plain TCP.
	TLS *tls.ConnectionState
}

// Authenticator decides a bind: it returns the Handler of the session to
// accept it, or an error to refuse it. A Status error is sent as the
// bind_resp's command_status (StatusInvalidPassword, say); any other error
// is sent as ESME_RBINDFAIL and logged.
type Authenticator func(ctx context.Context, b *BindRequest) (Handler, error)

// ServerOptions configure a Server.
type ServerOptions struct {
	// Addr is the address to listen on ("127.0.0.1:0" picks a port).
	// Ignored if Listener is set.
	Addr string
	// Listener, if set, is used instead of listening on Addr.
	Listener net.Listener
	// TLS, if set, serves SMPP over TLS.
	TLS *tls.Config
	// SystemID is this SMSC's system_id, sent in bind responses (default
	// "bawwab").
	SystemID string
	// Authenticate decides each bind. Required.
	Authenticate Authenticator
	// BindTimeout closes a connection that has not bound in this time
	// (default 10 s).
	BindTimeout time.Duration
	// Conn configures each session; its Handler is ignored (Authenticate
	// gives one per bind).
	Conn ConnOptions
	// Logger receives connection events (default: discard).
	Logger *slog.Logger
}

// Server is the SMSC side: it accepts ESMEs' connections, runs the bind
// handshake through Authenticate, and serves each bound session with the
// Handler Authenticate chose. Its life is NewServer, Start, Ready, then
// Shutdown.
type Server struct {
	opts  ServerOptions
	ln    net.Listener
	ready chan struct{}
	log   *slog.Logger

	mu      sync.Mutex
	conns   map[*Conn]struct{}
	raw     map[net.Conn]struct{} // accepted, not yet bound
	closing bool
	wg      sync.WaitGroup
}

// NewServer checks opts and returns a Server that is not yet listening.
func NewServer(opts ServerOptions) (*Server, error) {
	if opts.Authenticate == nil {
		return nil, errors.New("smpp: server: Authenticate is required")
	}
	if opts.Listener == nil && opts.Addr == "" {
		return nil, errors.New("smpp: server: Addr or Listener is required")
	}
	if opts.SystemID == "" {
		opts.SystemID = "bawwab"
	}
	if len(opts.SystemID) > 15 {
		return nil, fmt.Errorf("smpp: server: SystemID %q longer than 15 characters", opts.SystemID)
	}
	if opts.BindTimeout <= 0 {
		opts.BindTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Conn.Logger == nil {
		opts.Conn.Logger = opts.Logger
	}
	return &Server{opts: opts, ready: make(chan struct{}), log: opts.Logger,
		conns: map[*Conn]struct{}{}, raw: map[net.Conn]struct{}{}}, nil
}

// Start listens and accepts connections in the background.
func (s *Server) Start() error {
	ln := s.opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", s.opts.Addr); err != nil {
			return fmt.Errorf("smpp: server: %w", err)
		}
	}
	if s.opts.TLS != nil {
		ln = tls.NewListener(ln, s.opts.TLS)
	}
	s.ln = ln
	close(s.ready)
	s.wg.Add(1)
	go s.acceptLoop()
	return nil
}

// Ready is closed once the Server listens.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr returns the address the Server listens on (after Start).
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Conns returns the bound sessions.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				time.Sleep(backoff)
				continue
			}
			return // closed
		}
		backoff = 0
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.raw[nc] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go s.handshake(nc)
	}
}

// handshake reads PDUs until a bind arrives, decides it and, if accepted,
// starts the session.
func (s *Server) handshake(nc net.Conn) {
	defer s.wg.Done()
	bound := false
	defer func() {
		s.mu.Lock()
		delete(s.raw, nc)
		s.mu.Unlock()
		if !bound {
			nc.Close()
		}
	}()
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	deadline := time.Now().Add(s.opts.BindTimeout)
	nc.SetDeadline(deadline)
	r := NewReader(nc, s.opts.Conn.MaxCommandLength)
	var p PDU
	for {
		raw, err := r.Read(nil)
		if err != nil {
			var fe *FrameError
			if errors.As(err, &fe) {
				nc.Write(AppendHeaderOnly(nil, GenericNack, StatusInvalidCmdLen, fe.Seq))
			}
			s.log.Debug("smpp: connection closed before bind", "remote", addrString(nc.RemoteAddr()), "err", err)
			return
		}
		if err := p.Decode(raw); err != nil {
			var de *DecodeError
			st := StatusInvalidCmdLen
			if errors.As(err, &de) {
				st = de.Status
			}
			nc.Write(AppendHeaderOnly(nil, GenericNack, st, binary.BigEndian.Uint32(raw[12:])))
			continue
		}
		cmd := p.CommandID()
		if bindKindOf(cmd) != 0 && !cmd.IsResponse() {
			break
		}
		switch {
		case cmd == EnquireLink:
			nc.Write(AppendHeaderOnly(nil, EnquireLinkResp, StatusOK, p.Seq()))
		case cmd == Unbind:
			nc.Write(AppendHeaderOnly(nil, UnbindResp, StatusOK, p.Seq()))
			return
		case cmd.HasResponse():
			b, _ := (&Body{}).Append(nil, cmd.Response(), StatusInvalidBindStatus, p.Seq())
			nc.Write(b)
		}
	}
	req := &BindRequest{
		Kind:             bindKindOf(p.CommandID()),
		SystemID:         string(p.SystemID()),
		Password:         string(p.Password()),
		SystemType:       string(p.SystemType()),
		InterfaceVersion: p.InterfaceVersion(),
		AddressRange:     Address{p.Uint8(FieldAddrTON), p.Uint8(FieldAddrNPI), string(p.Field(FieldAddressRange))},
		RemoteAddr:       nc.RemoteAddr(),
	}
	if tc, ok := nc.(*tls.Conn); ok {
		st := tc.ConnectionState()
		req.TLS = &st
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	h, err := s.authenticate(ctx, req)
	cancel()
	respCmd := p.CommandID().Response()
	if err != nil {
		st := StatusBindFailed
		b, _ := (&Body{SystemID: s.opts.SystemID}).Append(nil, respCmd, st, p.Seq())
		if !errors.As(err, &st) {
			// Not a refusal but a failure (an Authenticate that failed).
			s.log.Warn("smpp: bind failed", "system_id", req.SystemID, "kind", req.Kind, "remote", addrString(req.RemoteAddr), "err", err)
		} else {
			b, _ = (&Body{SystemID: s.opts.SystemID}).Append(nil, respCmd, st, p.Seq())
			// One line per refusal: Authenticate says why by wrapping the
			// Status (fmt.Errorf("bind limit 4: %w", StatusBindFailed)),
			// rather than logging it a second time.
			attrs := []any{"system_id", req.SystemID, "kind", req.Kind, "remote", addrString(req.RemoteAddr), "status", st.Name()}
			if why := err.Error(); why != st.Error() {
				attrs = append(attrs, "reason", strings.TrimSuffix(strings.TrimSuffix(why, st.Error()), ": "))
			}
			s.log.Info("smpp: bind refused", attrs...)
		}
		nc.Write(b)
		return
	}
	nc.SetDeadline(time.Time{})
	opts := s.opts.Conn
	opts.Handler = h
	c := newConn(nc, r, false, req.Kind, req.SystemID, 0, opts)
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		b, _ := (&Body{SystemID: s.opts.SystemID}).Append(nil, respCmd, StatusSystemError, p.Seq())
		nc.Write(b)
		return
	}
	// A session from now on, under the same lock: Shutdown must unbind it
	// (requests in flight answered), not close it as a connection not yet
	// bound — the client may have its bind_resp and a request out before
	// this function returns.
	s.conns[c] = struct{}{}
	delete(s.raw, nc)
	s.mu.Unlock()
	bound = true
	resp := &Body{SystemID: s.opts.SystemID}
	if req.InterfaceVersion >= 0x34 {
		resp.TLVs = []TLV{Uint8TLV(TagSCInterfaceVersion, 0x34)}
	}
	c.writeBody(respCmd, StatusOK, p.Seq(), resp, flushKick, false)
	if bh, ok := h.(BoundHandler); ok {
		bh.Bound(c)
	}
	c.start()
	s.log.Info("smpp: bound", "system_id", req.SystemID, "kind", req.Kind, "remote", addrString(req.RemoteAddr))
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		<-c.Done()
		c.goroutines.Wait()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
}

func (s *Server) authenticate(ctx context.Context, req *BindRequest) (h Handler, err error) {
	defer func() {
		if v := recover(); v != nil {
			h, err = nil, fmt.Errorf("%w: in Authenticate: %v", errHandlerPanic, v)
		}
	}()
	h, err = s.opts.Authenticate(ctx, req)
	if err == nil && h == nil {
		err = errors.New("smpp: Authenticate accepted the bind without a Handler")
	}
	return h, err
}

// Shutdown stops accepting connections, closes those not yet bound, and
// unbinds every session (each drains its requests in flight first). If
// ctx ends before, the remaining connections are closed and ctx's error
// returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	for nc := range s.raw {
		nc.Close()
	}
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	if s.ln != nil {
		s.ln.Close()
	}
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Unbind(ctx)
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return ctx.Err()
	case <-ctx.Done():
		for _, c := range s.Conns() {
			c.Close()
		}
		<-done
		return ctx.Err()
	}
}

// addrString is a network address as logs show it ("host:port").
func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}
