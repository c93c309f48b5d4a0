package safehttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/bawwab/bawwab/internal/safehttp"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr   string
		public bool
		want   string // a part of the reason
	}{
		{"8.8.8.8", true, ""},
		{"1.1.1.1", true, ""},
		{"41.248.0.1", true, ""}, // a Moroccan operator's range
		{"100.63.255.255", true, ""},
		{"100.128.0.0", true, ""},
		{"172.15.255.255", true, ""},
		{"172.32.0.0", true, ""},
		{"2a00:1450:4007:80e::200e", true, ""},
		{"2001:4860:4860::8888", true, ""},
		{"0.0.0.0", false, "unspecified"},
		{"0.1.2.3", false, "this network"},
		{"10.0.0.5", false, "RFC 1918"},
		{"100.64.0.1", false, "carrier-grade NAT"},
		{"100.127.255.255", false, "carrier-grade NAT"},
		{"127.0.0.1", false, "loopback"},
		{"127.255.255.254", false, "loopback"},
		{"169.254.169.254", false, "cloud metadata"},
		{"172.16.0.1", false, "RFC 1918"},
		{"172.31.255.255", false, "RFC 1918"},
		{"192.0.0.8", false, "IETF"},
		{"192.0.2.1", false, "documentation"},
		{"192.168.1.1", false, "RFC 1918"},
		{"198.18.0.1", false, "benchmarking"},
		{"198.51.100.7", false, "documentation"},
		{"203.0.113.9", false, "documentation"},
		{"224.0.0.1", false, "multicast"},
		{"239.255.255.250", false, "multicast"},
		{"240.0.0.1", false, "reserved"},
		{"255.255.255.255", false, "broadcast"},
		{"::", false, "unspecified"},
		{"::1", false, "loopback"},
		{"::a00:5", false, "IPv4-compatible"},
		{"::ffff:10.0.0.5", false, "RFC 1918"},
		{"::ffff:169.254.169.254", false, "metadata"},
		{"::ffff:8.8.8.8", true, ""},
		{"64:ff9b::a00:5", false, "translation of 10.0.0.5"},
		{"64:ff9b::808:808", true, ""},
		{"64:ff9b:1::1", false, "NAT64"},
		{"100::1", false, "discard"},
		{"2001::1", false, "Teredo"},
		{"2001:db8::1", false, "documentation"},
		{"2002:a9fe:a9fe::1", false, "translation of 169.254.169.254"},
		{"2002:808:808::1", true, ""},
		{"3fff::1", false, "documentation"},
		{"fc00::1", false, "unique local"},
		{"fd12:3456::1", false, "unique local"},
		{"fe80::1", false, "link-local"},
		{"fe80::1%eth0", false, "link-local"},
		{"fec0::1", false, "site-local"},
		{"ff02::1", false, "multicast"},
	}
	for _, tt := range tests {
		got := safehttp.Classify(netip.MustParseAddr(tt.addr))
		if (got == "") != tt.public || !strings.Contains(got, tt.want) {
			t.Errorf("Classify(%s) = %q, want public %v, %q", tt.addr, got, tt.public, tt.want)
		}
	}
	if safehttp.Classify(netip.Addr{}) == "" {
		t.Error("the zero Addr is public")
	}
}

func TestCheckAllow(t *testing.T) {
	allow, err := safehttp.ParseAllow([]string{"10.1.0.0/16", "192.168.7.7", "fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	o := safehttp.Options{Allow: allow, AllowHint: "[callbacks] allow"}
	tests := []struct {
		addr string
		ok   bool
	}{
		{"10.1.2.3", true},
		{"::ffff:10.1.2.3", true},
		{"10.2.0.1", false},
		{"192.168.7.7", true},
		{"192.168.7.8", false},
		{"fd00::5", true},
		{"fc00::5", false},
		{"127.0.0.1", false},
		{"8.8.8.8", true},
	}
	for _, tt := range tests {
		err := o.Check(netip.MustParseAddr(tt.addr))
		if (err == nil) != tt.ok {
			t.Errorf("Check(%s) = %v, want ok %v", tt.addr, err, tt.ok)
		}
	}
	err = o.Check(netip.MustParseAddr("10.0.0.5"))
	want := `callback address 10.0.0.5 is not public (private network (RFC 1918)); allow it with "10.0.0.5/32" in [callbacks] allow`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant  %s", err, want)
	}
}

func TestParseAllow(t *testing.T) {
	tests := []struct {
		in   []string
		want string // prefixes, or the error's part
	}{
		{[]string{"127.0.0.0/8", "::1", " 10.0.0.1 "}, "[127.0.0.0/8 ::1/128 10.0.0.1/32]"},
		{nil, "[]"},
		{[]string{"10.0.0.1/8"}, "host bits"},
		{[]string{"localhost"}, "neither"},
		{[]string{"10.0.0.0/33"}, "neither"},
		{[]string{"fe80::1%eth0"}, "neither"},
	}
	for _, tt := range tests {
		got, err := safehttp.ParseAllow(tt.in)
		s := fmt.Sprint(got)
		if err != nil {
			s = err.Error()
		}
		if !strings.Contains(s, tt.want) {
			t.Errorf("ParseAllow(%q) = %s, want %s", tt.in, s, tt.want)
		}
	}
}

// server is a real HTTP server on 127.0.0.1 that counts its calls.
func server(t *testing.T, h http.HandlerFunc) (*httptest.Server, *int) {
	t.Helper()
	n := new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*n++
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, n
}

func loopback(t *testing.T) []netip.Prefix {
	p, err := safehttp.ParseAllow([]string{"127.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientRefusesLoopback(t *testing.T) {
	srv, calls := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	for _, u := range []string{srv.URL, "http://localhost:" + port + "/x", "http://[::ffff:127.0.0.1]:" + port + "/"} {
		c := safehttp.NewClient(safehttp.Options{AllowHint: "[callbacks] allow"})
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			t.Fatalf("GET %s: no error", u)
		}
		var ae *safehttp.AddrError
		if !errors.As(err, &ae) || ae.Range != "loopback" || !strings.Contains(err.Error(), `allow it with "127.0.0.1/32" in [callbacks] allow`) {
			t.Errorf("GET %s: %v, want a loopback refusal", u, err)
		}
	}
	if *calls != 0 {
		t.Errorf("the server was called %d times", *calls)
	}
	// Allowed explicitly.
	c := safehttp.NewClient(safehttp.Options{Allow: loopback(t)})
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" || *calls != 1 {
		t.Errorf("allowed call: %q, %d calls", b, *calls)
	}
}

// TestClientRedirects: redirects are not followed unless asked, and a
// followed redirect is checked again when dialled.
func TestClientRedirects(t *testing.T) {
	target, hits := server(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "target") })
	redir, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	// Not followed by default: the 302 is the answer.
	c := safehttp.NewClient(safehttp.Options{Allow: loopback(t)})
	resp, err := c.Get(redir.URL + "/?to=" + target.URL)
	if err != nil {
		t.Fatal(err)
	}
	safehttp.Drain(resp)
	if resp.StatusCode != http.StatusFound || *hits != 0 {
		t.Errorf("default: %d, %d target hits; want 302 and none", resp.StatusCode, *hits)
	}
	// Followed when asked, to an allowed address.
	c = safehttp.NewClient(safehttp.Options{Allow: loopback(t), MaxRedirects: 2})
	resp, err = c.Get(redir.URL + "/?to=" + target.URL)
	if err != nil {
		t.Fatal(err)
	}
	safehttp.Drain(resp)
	if resp.StatusCode != http.StatusOK || *hits != 1 {
		t.Errorf("followed: %d, %d target hits; want 200 and 1", resp.StatusCode, *hits)
	}
	// Followed, to an address the allow-list does not hold: the redirect
	// comes from an allowed address (127.0.0.1), its target (127.0.0.2)
	// is refused when dialled.
	v4only := []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	c = safehttp.NewClient(safehttp.Options{Allow: v4only, MaxRedirects: 2})
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	resp, err = c.Get(redir.URL + "/?to=http://127.0.0.2:" + port + "/")
	var ae *safehttp.AddrError
	if err == nil {
		safehttp.Drain(resp)
	}
	if !errors.As(err, &ae) || ae.Addr.String() != "127.0.0.2" {
		t.Errorf("redirect to 127.0.0.2: %v, want a refusal", err)
	}
	if *hits != 1 {
		t.Errorf("target hits %d, want 1", *hits)
	}
}

func TestClientCapsBodyAndTime(t *testing.T) {
	srv, _ := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			io.WriteString(w, strings.Repeat("x", 1000))
		case "/exact":
			io.WriteString(w, strings.Repeat("x", 100))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}
	})
	c := safehttp.NewClient(safehttp.Options{Allow: loopback(t), MaxBody: 100, Timeout: 300 * time.Millisecond})
	for _, tt := range []struct {
		path string
		n    int
		err  error
	}{{"/big", 100, safehttp.ErrBodyTooLarge}, {"/exact", 100, nil}} {
		resp, err := c.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) != tt.n || !errors.Is(err, tt.err) {
			t.Errorf("%s: read %d bytes, %v; want %d, %v", tt.path, len(b), err, tt.n, tt.err)
		}
	}
	start := time.Now()
	resp, err := c.Get(srv.URL + "/slow")
	if err == nil {
		resp.Body.Close()
		t.Fatal("a slow server answered in time")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("the timeout took %v", d)
	}
}

// TestClientDNS: a name is checked by the address it resolves to, at
// connect time (a resolver that answers 127.0.0.1 for a public-looking
// name is refused).
func TestClientDNS(t *testing.T) {
	srv, calls := server(t, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := safehttp.NewClient(safehttp.Options{})
	// localhost resolves through /etc/hosts, without a DNS server.
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://localhost:"+port+"/", nil)
	_, err := c.Do(req)
	var ae *safehttp.AddrError
	if !errors.As(err, &ae) || *calls != 0 {
		t.Errorf("localhost: %v, %d calls", err, *calls)
	}
}
