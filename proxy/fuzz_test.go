package proxy_test

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// FuzzProviderPDU writes arbitrary bytes on a bound provider session: the
// gateway must neither crash nor disturb another provider's bind, which
// submits after each input and must get an answer.
func FuzzProviderPDU(f *testing.F) {
	e := newEnv(f, envOptions{maxBinds: 1 << 20})
	other := e.bind("other", smpp.Transceiver, 10)
	seed := func(cmd smpp.CommandID, b *smpp.Body) []byte {
		raw, err := b.Encode(cmd, 0, 7)
		if err != nil {
			f.Fatal(err)
		}
		return raw
	}
	submit := seed(smpp.SubmitSM, body("ATLASMKT", iamNumber, "Atlas Market: -30% ! STOP au 5050"))
	f.Add(submit)
	f.Add(submit[:len(submit)-5])
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add([]byte{0, 0, 0, 16, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add(seed(smpp.DeliverSM, body("ATLASMKT", iamNumber, "x")))
	long := body("ATLASMKT", iamNumber, "")
	long.ESMClass = smpp.ESMClassUDHI
	long.ShortMessage = append([]byte{5, 0, 3, 9, 2, 1}, "Atlas part one"...)
	f.Add(seed(smpp.SubmitSM, long))
	long.ShortMessage = []byte{5, 0, 3, 9, 0, 7, 'x'}
	f.Add(seed(smpp.SubmitSM, long))
	bind, err := (&smpp.Body{SystemID: "atlas", Password: password, InterfaceVersion: 0x34}).Encode(smpp.BindTransceiver, 0, 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write(bind); err != nil {
			t.Fatal(err)
		}
		r := smpp.NewReader(c, 0)
		resp, err := r.Read(nil)
		if err != nil {
			t.Fatalf("bind: %v", err)
		}
		var p smpp.PDU
		if err := p.Decode(resp); err != nil || p.Status() != smpp.StatusOK {
			t.Fatalf("bind refused: %v %v", err, p.Status())
		}
		c.Write(data)
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		for {
			if _, err := r.Read(nil); err != nil {
				break
			}
		}
		_, err = other.conn.Send(e.ctx, smpp.SubmitSM, body("SOUK", orangeNumber, "Souk: soldes ! STOP au 3030"))
		var st smpp.Status
		if err != nil && !errors.As(err, &st) {
			t.Fatalf("the other provider's bind: %v", err)
		}
	})
}
