package sim

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"github.com/bawwab/bawwab/internal/peer"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// Wireshark's expert severities (epan/proto.h): chat 0x00200000, note
// 0x00400000, warn 0x00600000, error 0x00800000.
const expertWarn = 0x00600000

// TestWireTshark captures a real session on the loopback interface (our
// client bound to the simulated SMSC) and has Wireshark's SMPP dissector,
// an independent decoder, read every PDU of it: bind, submits in each
// coding, a long message, receipts, MO messages, enquire_link, unbind. Each
// PDU must decode as SMPP, with no malformed packet and no expert warning
// or error. Capturing needs root (CI has it).
func TestWireTshark(t *testing.T) {
	dumpcap, err1 := exec.LookPath("dumpcap")
	tshark, err2 := exec.LookPath("tshark")
	switch {
	case err1 != nil:
		peer.Need(t, "dumpcap", err1)
	case err2 != nil:
		peer.Need(t, "tshark", err2)
	case os.Geteuid() != 0:
		peer.Need(t, "root (to capture on lo)", fmt.Errorf("uid %d", os.Geteuid()))
	}
	s := startSMSC(t, SMSCConfig{Name: "wire", DLRDelay: 5 * time.Millisecond, DLRFail: 0.5, Rand: seq(0.9, 0.2, 0.05)})
	_, port, _ := net.SplitHostPort(s.Addr().String())
	pcap := filepath.Join(t.TempDir(), "session.pcapng")

	// Start capturing; once dumpcap counts packets (probe connections to
	// the port), it sees the session.
	cap := exec.Command(dumpcap, "-i", "lo", "-f", "tcp port "+port, "-w", pcap)
	stderr, err := cap.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cap.Start(); err != nil {
		t.Fatal(err)
	}
	counting := make(chan struct{})
	said := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Split(crOrLF)
		var lines []string
		seen := false
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if !seen && strings.HasPrefix(sc.Text(), "Packets: ") && sc.Text() != "Packets: 0 " {
				seen = true
				close(counting)
			}
		}
		said <- strings.Join(lines, "\n")
	}()
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cap.Process.Signal(syscall.SIGTERM)
			cap.Wait()
		}
	}
	defer stop()
	probeUntil := time.Now().Add(10 * time.Second)
	for probing := true; probing; {
		if time.Now().After(probeUntil) {
			t.Fatal("dumpcap counted no packet in 10 s")
		}
		if nc, err := net.Dial("tcp", s.Addr().String()); err == nil {
			nc.Close()
		}
		select {
		case <-counting:
			probing = false
		case msg := <-said:
			t.Fatalf("dumpcap exited: %s", msg)
		case <-time.After(100 * time.Millisecond):
		}
	}

	// The session.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	delivered := make(chan struct{}, 20)
	c, err := smpp.Dial(ctx, s.Addr().String(), smpp.DialOptions{SystemID: "wire", Password: "pw",
		// Keep-alive often enough to be on the wire, and no dead-peer
		// verdict a loaded machine could provoke (3 × 40 ms by default).
		Conn: smpp.ConnOptions{EnquireLink: 40 * time.Millisecond, DeadPeer: 10 * time.Second, Handler: smpp.InlineFunc(func(r *smpp.Request) {
			r.Accept("")
			delivered <- struct{}{}
		})}})
	if err != nil {
		t.Fatal(err)
	}
	latin1, _ := smpp.AppendLatin1(nil, "Café crème à 2€? non: 2 EUR")
	gsm, _ := smpp.AppendGSM7(nil, "Promo {-20%} [BRAND] € ~ STOP au 5050")
	dest := smpp.Address{TON: smpp.TONInternational, NPI: smpp.NPIISDN, Addr: "212612345678"}
	src := smpp.Address{TON: smpp.TONAlphanumeric, Addr: "BRAND"}
	bodies := []*smpp.Body{
		{Source: src, Dest: dest, DataCoding: smpp.CodingDefault, ShortMessage: gsm, RegisteredDelivery: smpp.RegisteredDeliveryAll},
		{Source: src, Dest: dest, DataCoding: 0x01, ShortMessage: []byte("IA5 text, STOP au 5050"), RegisteredDelivery: smpp.RegisteredDeliveryAll},
		{Source: src, Dest: dest, DataCoding: 0x03, ShortMessage: latin1, RegisteredDelivery: smpp.RegisteredDeliveryAll},
		{Source: src, Dest: dest, DataCoding: 0x04, ShortMessage: []byte{0x00, 0x01, 0xFE, 0xFF, 0x7F}},
		{Source: src, Dest: dest, DataCoding: smpp.CodingUCS2, ShortMessage: smpp.AppendUCS2(nil, "عرض خاص، أرسل STOP إلى 5050")},
		{Source: src, Dest: dest, DataCoding: 0xF1, ShortMessage: []byte("class 1")},
		{Source: src, Dest: dest, DataCoding: smpp.CodingUCS2,
			TLVs: []smpp.TLV{{Tag: smpp.TagMessagePayload, Value: smpp.AppendUCS2(nil, strings.Repeat("رسالة طويلة ", 20))}}},
	}
	sp, err := (&smpp.Splitter{}).Split(strings.Repeat("Une offre longue, en plusieurs parties. ", 6) + "STOP au 5050")
	if err != nil {
		t.Fatal(err)
	}
	bodies = append(bodies, sp.Bodies(smpp.Body{Source: src, Dest: dest})...)
	for i, b := range bodies {
		if _, err := c.Send(ctx, smpp.SubmitSM, b); err != nil {
			t.Fatalf("submit %d: %v", i, err)
		}
	}
	// Receipts for the first three (delivered, undelivered, rejected).
	for range 3 {
		select {
		case <-delivered:
		case <-ctx.Done():
			t.Fatal("receipts missing")
		}
	}
	// MO messages, plain and Arabic.
	for _, text := range []string{"STOP", "توقف"} {
		if err := s.DeliverMO(ctx, "212612345678", "5050", text); err != nil {
			t.Fatal(err)
		}
		<-delivered
	}
	time.Sleep(150 * time.Millisecond) // idle: the keep-alive's enquire_link
	if _, err := c.Send(ctx, smpp.EnquireLink, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Unbind(ctx); err != nil {
		t.Fatal(err)
	}
	// A control: a PDU whose TLV runs past its end, on a connection of its
	// own. Wireshark must flag it (and our server nacks it).
	control, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := (&smpp.Body{Source: src, Dest: dest, ShortMessage: []byte("x")}).Encode(smpp.SubmitSM, 0, 9)
	bad = append(bad, 0x04, 0x24, 0x00, 0x09, 'x')
	binary.BigEndian.PutUint32(bad, uint32(len(bad)))
	bind, _ := (&smpp.Body{SystemID: "control"}).Encode(smpp.BindTransmitter, 0, 8)
	control.Write(append(bind, bad...))
	r := smpp.NewReader(control, 0)
	for range 2 {
		if _, err := r.Read(nil); err != nil {
			t.Fatalf("control: %v", err)
		}
	}
	controlPort := strconv.Itoa(control.LocalAddr().(*net.TCPAddr).Port)
	control.Close()
	// Let dumpcap write the last packets: wait until the capture file has
	// stopped growing for 300 ms (at most 10 s).
	for last, still, deadline := int64(-1), 0, time.Now().Add(10*time.Second); still < 3 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		fi, err := os.Stat(pcap)
		if err == nil && fi.Size() == last {
			still++
		} else {
			still = 0
		}
		if err == nil {
			last = fi.Size()
		}
	}
	stop()

	// What Wireshark reads.
	// TCP's own sequence analysis is off: a loopback retransmission under
	// load ("D-SACK Sequence") is a warning about TCP, not about our PDUs.
	out, err := exec.Command(tshark, "-r", pcap, "-o", "tcp.analyze_sequence_numbers:FALSE", "-d", "tcp.port=="+port+",smpp", "-T", "fields", "-E", "separator=|",
		"-e", "frame.number", "-e", "smpp.command_id", "-e", "_ws.malformed", "-e", "_ws.expert.message",
		"-e", "_ws.expert.severity", "-e", "tcp.srcport").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	count := map[smpp.CommandID]int{}
	flagged := false
	for line := range strings.Lines(string(out)) {
		f := strings.Split(strings.TrimRight(line, "\n"), "|")
		if len(f) < 6 {
			t.Fatalf("tshark line %q", line)
		}
		if f[5] == controlPort {
			flagged = flagged || f[2] != "" || strings.Contains(f[4], strconv.Itoa(0x00800000))
			continue
		}
		if f[1] != "" {
			for id := range strings.SplitSeq(f[1], ",") {
				n, err := strconv.ParseUint(strings.TrimPrefix(id, "0x"), 16, 32)
				if err != nil {
					t.Errorf("frame %s: command_id %q", f[0], id)
				}
				count[smpp.CommandID(n)]++
			}
		}
		if f[2] != "" {
			t.Errorf("frame %s: malformed: %s", f[0], f[2])
		}
		msgs, sevs := strings.Split(f[3], ","), strings.Split(f[4], ",")
		for i, sev := range sevs {
			if n, _ := strconv.ParseUint(sev, 10, 32); n >= expertWarn {
				t.Errorf("frame %s: expert %s: %s", f[0], sev, msgs[min(i, len(msgs)-1)])
			}
		}
	}
	n := len(bodies)
	want := map[smpp.CommandID]int{
		smpp.BindTransceiver: 1, smpp.BindTransceiverResp: 1,
		smpp.SubmitSM: n, smpp.SubmitSMResp: n,
		smpp.DeliverSM: 5, smpp.DeliverSMResp: 5, // 3 receipts, 2 MO
		smpp.Unbind: 1, smpp.UnbindResp: 1,
	}
	for cmd, w := range want {
		if count[cmd] != w {
			t.Errorf("tshark read %d %v, want %d", count[cmd], cmd, w)
		}
	}
	if count[smpp.EnquireLink] == 0 || count[smpp.EnquireLink] != count[smpp.EnquireLinkResp] {
		t.Errorf("enquire_link %d, enquire_link_resp %d", count[smpp.EnquireLink], count[smpp.EnquireLinkResp])
	}
	if !flagged {
		t.Error("tshark did not flag the control PDU: this test would not see a malformed one")
	}
	if t.Failed() {
		t.Logf("tshark:\n%s", out)
	}
}

// crOrLF splits dumpcap's output, whose packet counter is redrawn after a
// carriage return.
func crOrLF(data []byte, atEOF bool) (int, []byte, error) {
	for i, b := range data {
		if b == '\r' || b == '\n' {
			return i + 1, data[:i], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}
