package proxy_test

import (
	"testing"
	"time"

	"github.com/bawwab/bawwab/smpp"
)

// TestOutbox: receipts and MO for a provider bound as transmitter only are
// kept in the store's outbox, survive a gateway restart, and are
// delivered when the provider binds as receiver; MO to a provider's
// service code reach that provider only.
func TestOutbox(t *testing.T) {
	e := newEnv(t, envOptions{durable: true})
	tx := e.bind("atlas", smpp.Transmitter, 10)
	other := e.bind("other", smpp.Transceiver, 10)
	for _, dest := range []string{iamNumber, orangeNumber} {
		if _, err := tx.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", dest, "Atlas Market: -30% ! STOP au 5050")); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "7070", "JEU 42"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "3 messages in the outbox", func() bool {
		msgs, err := e.st.Outbox.FindOutbox(e.ctx, "atlasvas", 0, 0)
		return err == nil && len(msgs) == 3
	})

	// Restart.
	tx.conn.Close()
	e.stop()
	e.start()

	rx := e.bind("atlas", smpp.Receiver, 10)
	rx.waitFor(t, "2 receipts and an MO", func() bool { return len(rx.receipts) == 2 && len(rx.mos) == 1 })
	if rx.mos[0] != "JEU 42" {
		t.Errorf("MO %q", rx.mos[0])
	}
	waitUntil(t, "an empty outbox", func() bool {
		msgs, err := e.st.Outbox.FindOutbox(e.ctx, "atlasvas", 0, 0)
		return err == nil && len(msgs) == 0
	})
	time.Sleep(100 * time.Millisecond)
	other.mu.Lock()
	defer other.mu.Unlock()
	if len(other.receipts)+len(other.mos) != 0 {
		t.Errorf("another provider got %d receipts and %d MO", len(other.receipts), len(other.mos))
	}
}

// TestComplaintMO: an MO to the complaint code becomes a complaint case
// and gets a reply.
func TestComplaintMO(t *testing.T) {
	e := newEnv(t, envOptions{})
	if err := e.smscs["iam"].DeliverMO(e.ctx, "+"+iamNumber, "3300", "ATLASMKT m'envoie des promos sans arrêt"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reply", func() bool { return e.gw.Stats().System == 1 })
	if st := e.gw.Stats(); st.Complaints != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestReceiptAfterRestart: the receipts of messages sent before a gateway
// restart, which the SMSC sends after it, reach the account that sent
// them, under the ids it was given (a concatenated message's early parts
// included).
func TestReceiptAfterRestart(t *testing.T) {
	e := newEnv(t, envOptions{durable: true, dlrDelay: 300 * time.Millisecond})
	p := e.bind("atlas", smpp.Transceiver, 1)
	var ids []string
	resp, err := p.conn.Send(e.ctx, smpp.SubmitSM, body("ATLASMKT", iamNumber, "Atlas Market: -30% ! STOP au 5050"))
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, string(resp.MessageID()))
	parts, errs := sendLong(t, p.conn, "ATLASMKT", orangeNumber, longCompliant, 1)
	for i, err := range errs {
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
	}
	ids = append(ids, parts...)
	p.conn.Close()
	e.stop()
	time.Sleep(400 * time.Millisecond) // the receipts are due while the gateway is down
	e.start()
	rx := e.bind("atlas", smpp.Receiver, 10)
	rx.waitFor(t, "every receipt", func() bool { return len(rx.receipts) == len(ids) })
	got := map[string]bool{}
	for _, r := range rx.receipts {
		got[r.ID] = true
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("no receipt for %s: %v", id, got)
		}
	}
}
