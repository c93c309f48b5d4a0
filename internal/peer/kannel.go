package peer

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Kannel's programs, as Debian installs them.
const (
	bearerbox = "/usr/sbin/bearerbox"
	smsbox    = "/usr/sbin/smsbox"
)

// NeedKannel skips the test when Debian's Kannel is not installed (fails
// it in CI).
func NeedKannel(t testing.TB) {
	t.Helper()
	for _, p := range []string{bearerbox, smsbox} {
		if _, err := os.Stat(p); err != nil {
			Need(t, "Kannel (apt-get install kannel)", err)
		}
	}
}

// KannelOptions says which SMSC a Kannel binds to.
type KannelOptions struct {
	SMSCID   string      // Kannel's smsc-id
	Addr     string      // the SMSC's host:port
	Username string      // smsc-username (system_id)
	Password string      // smsc-password: Kannel cuts it at 8 characters
	Bound    func() bool // true once the SMSC side sees Kannel's bind
}

// Kannel runs Kannel 1.4.5 as a provider's gateway in dir: a bearerbox
// bound as a transceiver to o.Addr (system-type VMA, which Kannel needs to
// bind), then, once o.Bound reports the bind, an smsbox whose sendsms
// (user tester, password foobar, concatenation on) it returns the URL of.
// Logs are dir/bearerbox.log and dir/smsbox.log; both stop with the test.
func Kannel(t testing.TB, dir string, o KannelOptions) (sendURL string) {
	t.Helper()
	NeedKannel(t)
	admin, box, sendsms := FreePort(t), FreePort(t), FreePort(t)
	_, port, err := net.SplitHostPort(o.Addr)
	if err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`group = core
admin-port = %d
admin-interface = 127.0.0.1
admin-password = bar
smsbox-port = %d
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
log-file = "%[3]s/bearerbox.log"
log-level = 1
dlr-storage = internal

group = smsc
smsc = smpp
smsc-id = %[6]s
host = 127.0.0.1
port = %[4]s
transceiver-mode = yes
smsc-username = "%[7]s"
smsc-password = "%[8]s"
system-type = "VMA"
max-pending-submits = 20
enquire-link-interval = 5
reconnect-delay = 1
source-addr-ton = 5
source-addr-npi = 0
dest-addr-ton = 1
dest-addr-npi = 1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = %[2]d
sendsms-port = %[5]d
sendsms-interface = 127.0.0.1
log-file = "%[3]s/smsbox.log"
log-level = 1

group = sendsms-user
username = tester
password = foobar
concatenation = true
max-messages = 5

group = sms-service
keyword = default
text = "ok"
`, admin, box, dir, port, sendsms, o.SMSCID, o.Username, o.Password)
	confPath := filepath.Join(dir, "kannel.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	Start(t, dir, bearerbox, confPath)
	if !Eventually(20*time.Second, o.Bound) {
		t.Fatalf("Kannel did not bind; bearerbox.log:\n%s", Tail(filepath.Join(dir, "bearerbox.log")))
	}
	Start(t, dir, smsbox, confPath)
	sendURL = fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/sendsms", sendsms)
	// smsbox opens its sendsms port before it has read its sendsms users,
	// and crashes (urltrans_find_username) on a request that comes in
	// between; it connects to the bearerbox after. So wait for the
	// bearerbox to list the smsbox, then for the port, without a request.
	status := fmt.Sprintf("http://127.0.0.1:%d/status.txt?password=bar", admin)
	if !Eventually(20*time.Second, func() bool {
		resp, err := http.Get(status)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), "smsbox:")
	}) {
		t.Fatalf("smsbox did not connect to the bearerbox; smsbox.log:\n%s", Tail(filepath.Join(dir, "smsbox.log")))
	}
	if !Eventually(20*time.Second, func() bool {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", sendsms))
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatalf("smsbox is not listening; smsbox.log:\n%s", Tail(filepath.Join(dir, "smsbox.log")))
	}
	return sendURL
}
