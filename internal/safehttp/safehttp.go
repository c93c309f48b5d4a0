// Package safehttp is the HTTP client of the calls the gateway makes on a
// provider's behalf: the submit API's callback_url, Kannel's dlr-url and
// the measure webhooks. A provider chooses those URLs, so the client must
// not become a way into the operator's network (SSRF): its dialer checks
// the address it actually connects to, after DNS resolution
// (net.Dialer.Control), and refuses loopback, private, link-local (the
// cloud metadata address 169.254.169.254), shared (CGNAT), multicast,
// reserved and documentation ranges, unless the address is in an explicit
// allow-list. Checking at connect time, not when the URL is accepted, is
// what defeats a name that resolves to a public address when checked and
// to 10.0.0.5 when called (DNS rebinding).
//
// The package also signs those calls (Signer, header Bawwab-Signature) and
// verifies the signatures (Verify), so that a provider can tell a real
// notification from a forged one. It imports only the standard library,
// so that a provider may copy the verification into its own code.
package safehttp

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Options configures a client.
type Options struct {
	// Allow lists the address ranges the client may call although they
	// are not public (a provider's receiver on the operator's own
	// network, or 127.0.0.0/8 in a demo or a test).
	Allow []netip.Prefix
	// AllowHint says, in the refusal's message, how to allow an address
	// (e.g. `[callbacks] allow in bawwab.toml`); "the allow-list" by
	// default.
	AllowHint string
	// What names the calls in errors ("callback" by default).
	What string
	// Timeout bounds a whole call, body included (default 10 s).
	Timeout time.Duration
	// MaxRedirects is how many redirects are followed (default none: the
	// 3xx answer is the call's answer). Each hop is dialled, and so
	// checked, again; a redirect from https to http is refused.
	MaxRedirects int
	// MaxBody caps what may be read of an answer's body (default 64 KiB);
	// reading past it fails.
	MaxBody int64
}

// ParseAllow reads an allow-list: CIDR prefixes ("10.1.2.0/24",
// "::1/128") or single addresses ("10.1.2.3").
func ParseAllow(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			if p != p.Masked() {
				return nil, fmt.Errorf("%q has host bits set (did you mean %s?)", s, p.Masked())
			}
			out = append(out, p)
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR prefix", s)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// AddrError is the refusal of an address that is not public.
type AddrError struct {
	What  string     // "callback"
	Addr  netip.Addr // as dialled
	Range string     // what it is: "private network (RFC 1918)"
	Hint  string     // where to allow it
}

func (e *AddrError) Error() string {
	bits := 32
	if !e.Addr.Unmap().Is4() {
		bits = 128
	}
	return fmt.Sprintf("%s address %s is not public (%s); allow it with %q in %s",
		e.What, e.Addr, e.Range, netip.PrefixFrom(e.Addr.Unmap(), bits).String(), e.Hint)
}

// special is one non-public range; embedded says the range carries an
// IPv4 address in its bits 16..48 (6to4) or its last 32 bits (NAT64),
// which is then classified instead.
type special struct {
	p        netip.Prefix
	what     string
	embedded int // 0: none; 1: last 32 bits; 2: bits 16..48
}

// specials are the ranges that are not globally reachable (IANA's special
// purpose registries, RFC 6890 and later), first match wins.
var specials = func() []special {
	rs := []struct {
		p, what  string
		embedded int
	}{
		{"0.0.0.0/8", "unspecified or 'this network' (RFC 1122)", 0},
		{"10.0.0.0/8", "private network (RFC 1918)", 0},
		{"100.64.0.0/10", "shared address space, carrier-grade NAT (RFC 6598)", 0},
		{"127.0.0.0/8", "loopback", 0},
		{"169.254.0.0/16", "link-local, cloud metadata (RFC 3927)", 0},
		{"172.16.0.0/12", "private network (RFC 1918)", 0},
		{"192.0.0.0/24", "IETF protocol assignments (RFC 6890)", 0},
		{"192.0.2.0/24", "documentation (RFC 5737)", 0},
		{"192.88.99.0/24", "6to4 relay anycast (RFC 7526)", 0},
		{"192.168.0.0/16", "private network (RFC 1918)", 0},
		{"198.18.0.0/15", "benchmarking (RFC 2544)", 0},
		{"198.51.100.0/24", "documentation (RFC 5737)", 0},
		{"203.0.113.0/24", "documentation (RFC 5737)", 0},
		{"224.0.0.0/4", "multicast", 0},
		{"240.0.0.0/4", "reserved or broadcast (RFC 1112)", 0},
		{"::/128", "unspecified", 0},
		{"::1/128", "loopback", 0},
		{"::/96", "IPv4-compatible, deprecated (RFC 4291)", 0},
		{"64:ff9b::/96", "", 1}, // NAT64 (RFC 6052): the IPv4 address it reaches
		{"64:ff9b:1::/48", "local NAT64 (RFC 8215)", 0},
		{"100::/64", "discard-only (RFC 6666)", 0},
		{"2001::/32", "Teredo (RFC 4380)", 0},
		{"2001:2::/48", "benchmarking (RFC 5180)", 0},
		{"2001:10::/28", "ORCHID, deprecated (RFC 4843)", 0},
		{"2001:db8::/32", "documentation (RFC 3849)", 0},
		{"2002::/16", "", 2}, // 6to4 (RFC 3056): the IPv4 address it reaches
		{"3fff::/20", "documentation (RFC 9637)", 0},
		{"5f00::/16", "segment routing SIDs (RFC 9602)", 0},
		{"fc00::/7", "unique local, private network (RFC 4193)", 0},
		{"fe80::/10", "link-local (RFC 4291)", 0},
		{"fec0::/10", "site-local, deprecated (RFC 3879)", 0},
		{"ff00::/8", "multicast", 0},
	}
	out := make([]special, len(rs))
	for i, r := range rs {
		out[i] = special{p: netip.MustParsePrefix(r.p), what: r.what, embedded: r.embedded}
	}
	return out
}()

// Classify says why an address is not public, or "" when it is. An
// IPv4-mapped IPv6 address (::ffff:10.0.0.5) is classified as its IPv4
// address, and so are NAT64 and 6to4 addresses, which reach the IPv4
// address they carry.
func Classify(a netip.Addr) string {
	if !a.IsValid() {
		return "not an IP address"
	}
	a = a.WithZone("").Unmap()
	for _, s := range specials {
		if !s.p.Contains(a) {
			continue
		}
		b := a.As16()
		switch s.embedded {
		case 1:
			return embedded(netip.AddrFrom4([4]byte(b[12:16])))
		case 2:
			return embedded(netip.AddrFrom4([4]byte(b[2:6])))
		}
		return s.what
	}
	return ""
}

func embedded(v4 netip.Addr) string {
	if w := Classify(v4); w != "" {
		return w + ", through an IPv6 translation of " + v4.String()
	}
	return ""
}

// Check returns nil when the client may call the address: it is public,
// or in the allow-list.
func (o *Options) Check(a netip.Addr) error {
	a = a.WithZone("")
	for _, p := range o.Allow {
		if p.Contains(a) || p.Contains(a.Unmap()) {
			return nil
		}
	}
	w := Classify(a)
	if w == "" {
		return nil
	}
	return &AddrError{What: o.what(), Addr: a, Range: w, Hint: o.hint()}
}

func (o *Options) what() string {
	if o.What == "" {
		return "callback"
	}
	return o.What
}

func (o *Options) hint() string {
	if o.AllowHint == "" {
		return "the allow-list"
	}
	return o.AllowHint
}

// control is the dialer's check, on the address about to be connected
// to, after name resolution.
func (o *Options) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%s address %q: %v", o.what(), address, err)
	}
	return o.Check(ap.Addr())
}

// DefaultTimeout bounds a call when Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// DefaultMaxBody caps an answer's body when Options.MaxBody is 0.
const DefaultMaxBody = 64 << 10

// NewClient returns a client that calls only public addresses and the
// allow-list's. It ignores HTTP_PROXY and the like: through a proxy, the
// dialled address would be the proxy's, not the one checked.
func NewClient(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	o.Allow = append([]netip.Prefix(nil), o.Allow...)
	d := &net.Dialer{Timeout: min(o.Timeout, 5*time.Second), KeepAlive: 30 * time.Second, Control: o.control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    min(o.Timeout, 5*time.Second),
		ResponseHeaderTimeout:  o.Timeout,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		Transport: &capped{rt: tr, max: o.MaxBody},
		Timeout:   o.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > o.MaxRedirects {
				return http.ErrUseLastResponse
			}
			if req.URL.Scheme != "https" && via[len(via)-1].URL.Scheme == "https" {
				return fmt.Errorf("%s: redirect from https to %s refused", o.what(), req.URL.Scheme)
			}
			return nil
		},
	}
}

// capped caps the bodies of the answers.
type capped struct {
	rt  http.RoundTripper
	max int64
}

func (c *capped) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &cappedBody{rc: resp.Body, left: c.max}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (c *capped) CloseIdleConnections() {
	if t, ok := c.rt.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
}

// ErrBodyTooLarge is the error of a read past Options.MaxBody.
var ErrBodyTooLarge = errors.New("safehttp: answer body larger than the cap")

type cappedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the cap from a longer one.
		var one [1]byte
		n, err := b.rc.Read(one[:])
		if n > 0 {
			return 0, ErrBodyTooLarge
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// Drain reads what is left of an answer's body (within the cap) and
// closes it, so that the connection can be reused.
func Drain(resp *http.Response) {
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}
