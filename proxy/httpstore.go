package proxy

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/bawwab/bawwab"
)

// httpWriter writes the states of HTTP messages to the store, those of a
// moment together in one transaction (a group commit): one write per
// message would cost a transaction each. A submission waits for the
// commit of the batch that holds its message, so the provider's answer
// still comes after its message is on disk; a receipt's new state does
// not wait (the SMSC is answered already, and memory serves until a
// restart), and writes only what a receipt changes (SetHTTPStates). One
// goroutine writes, the messages of a batch then the receipts' states, each
// in the order queued: of two states of a message, the later is written
// last (a receipt's state is queued only after its message).
type httpWriter struct {
	store bawwab.OutboxService
	log   *slog.Logger

	mu      sync.Mutex
	queue   []*bawwab.HTTPMessage
	waits   []chan error          // the submission waiting for each, or nil
	states  []*bawwab.HTTPMessage // receipts' states
	running bool                  // the writing goroutine runs: queue for it
	wake    chan struct{}
}

func newHTTPWriter(store bawwab.OutboxService, log *slog.Logger) *httpWriter {
	return &httpWriter{store: store, log: log, wake: make(chan struct{}, 1)}
}

// writeContext bounds a write, not cancelled with the gateway: what was
// done is recorded.
func writeContext() context.Context { return ledgerDeadline.get(context.Background(), 30*time.Second) }

// queue1 queues a submitted message for the next batch and returns a
// channel that gets the result of that batch's commit. Without the writing
// goroutine (before Start, after Shutdown), it writes m at once.
func (w *httpWriter) queue1(m *bawwab.HTTPMessage) chan error {
	ch := make(chan error, 1)
	w.mu.Lock()
	if !w.running {
		w.mu.Unlock()
		ch <- w.store.PutHTTPMessages(writeContext(), []*bawwab.HTTPMessage{m})
		return ch
	}
	w.queue = append(w.queue, m)
	w.waits = append(w.waits, ch)
	w.mu.Unlock()
	w.kick()
	return ch
}

// state queues a message's new state (after a receipt) for the next
// batch, without waiting.
func (w *httpWriter) state(m *bawwab.HTTPMessage) {
	w.mu.Lock()
	if !w.running {
		w.mu.Unlock()
		if err := w.store.SetHTTPStates(writeContext(), []*bawwab.HTTPMessage{m}); err != nil {
			w.log.Error("HTTP message's receipt not recorded", "err", err)
		}
		return
	}
	w.states = append(w.states, m)
	w.mu.Unlock()
	w.kick()
}

func (w *httpWriter) kick() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// start runs the writing goroutine until ctx ends, then writes what is
// queued.
func (w *httpWriter) start(ctx context.Context, wg *sync.WaitGroup) {
	w.mu.Lock()
	w.running = true
	w.mu.Unlock()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-w.wake:
				w.flush(false)
			case <-ctx.Done():
				w.flush(true)
				return
			}
		}
	}()
}

// flush writes the queued states in one transaction; last, the
// goroutine's last: later states are written at once by put.
func (w *httpWriter) flush(last bool) {
	w.mu.Lock()
	q, waits, states := w.queue, w.waits, w.states
	w.queue, w.waits, w.states = nil, nil, nil
	if last {
		w.running = false
	}
	w.mu.Unlock()
	if len(q) > 0 {
		// The submissions' failures are logged (and answered) by them.
		err := w.store.PutHTTPMessages(writeContext(), q)
		for _, ch := range waits {
			ch <- err
		}
	}
	if len(states) > 0 {
		if err := w.store.SetHTTPStates(writeContext(), states); err != nil {
			w.log.Error("HTTP messages' receipts not recorded", "messages", len(states), "err", err)
		}
	}
}
