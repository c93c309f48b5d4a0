package smpp

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestTshark has Wireshark's SMPP dissector, an independent decoder, read
// every vector: the command and sequence number must match and nothing may
// be reported malformed. Skipped where tshark is not installed (CI installs
// it).
func TestTshark(t *testing.T) {
	tshark, err1 := exec.LookPath("tshark")
	text2pcap, err2 := exec.LookPath("text2pcap")
	if err1 != nil || err2 != nil {
		t.Skip("tshark or text2pcap not installed")
	}
	dir := t.TempDir()
	var dump bytes.Buffer
	for _, v := range vectors {
		raw := unhex(t, v.hex)
		for off := 0; off < len(raw); off += 16 {
			fmt.Fprintf(&dump, "%06x ", off)
			for _, b := range raw[off:min(off+16, len(raw))] {
				fmt.Fprintf(&dump, " %02x", b)
			}
			dump.WriteByte('\n')
		}
		dump.WriteByte('\n')
	}
	in, pcap := filepath.Join(dir, "vectors.txt"), filepath.Join(dir, "vectors.pcap")
	if err := os.WriteFile(in, dump.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(text2pcap, "-q", "-T", "40000,2775", in, pcap).CombinedOutput(); err != nil {
		t.Fatalf("text2pcap: %v\n%s", err, out)
	}
	out, err := exec.Command(tshark, "-r", pcap, "-d", "tcp.port==2775,smpp", "-T", "fields", "-E", "separator=|",
		"-e", "smpp.command_id", "-e", "smpp.sequence_number", "-e", "_ws.malformed", "-e", "_ws.expert.message").Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	i := 0
	for sc.Scan() {
		if i >= len(vectors) {
			t.Fatalf("more frames than vectors: %q", sc.Text())
		}
		v := vectors[i]
		f := strings.Split(sc.Text(), "|")
		cmd, _ := strconv.ParseUint(strings.TrimPrefix(f[0], "0x"), 16, 32)
		seq, _ := strconv.ParseUint(f[1], 10, 32)
		if CommandID(cmd) != v.cmd || uint32(seq) != v.seq {
			t.Errorf("%s: tshark read %s seq %s", v.name, f[0], f[1])
		}
		if f[2] != "" || strings.Contains(strings.ToLower(f[3]), "malformed") {
			t.Errorf("%s: tshark says %q %q", v.name, f[2], f[3])
		}
		i++
	}
	if i != len(vectors) {
		t.Errorf("tshark read %d frames for %d vectors", i, len(vectors))
	}
}
