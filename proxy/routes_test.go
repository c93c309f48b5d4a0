package proxy

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// failingOutbox refuses PutRoutes while fail is set.
type failingOutbox struct {
	*MemOutbox
	fail bool
}

func (o *failingOutbox) PutRoutes(ctx context.Context, rs []bawwab.OutboxRoute) error {
	if o.fail {
		return errors.New("store down")
	}
	return o.MemOutbox.PutRoutes(ctx, rs)
}

// TestRoutesShards puts routes from many goroutines, keeps the durable
// ones through a failed flush, records them at the next, and expires the
// old ones, whichever shard they fall in.
func TestRoutesShards(t *testing.T) {
	ctx := context.Background()
	var r routes
	r.init()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const n = 1000
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				r.put("iam", fmt.Sprintf("id%d", i), &route{providerID: "p", accountID: "a", at: now, durable: i%2 == 0})
			}
		})
	}
	wg.Wait()
	for i := range n {
		if rt := r.get("iam", fmt.Sprintf("id%d", i)); rt == nil {
			t.Fatalf("route %d missing", i)
		}
	}
	if rt := r.get("orange", "id1"); rt != nil {
		t.Fatal("route of another operator found")
	}
	ob := &failingOutbox{MemOutbox: NewMemOutbox(), fail: true}
	if err := r.flush(ctx, ob); err == nil {
		t.Fatal("flush to a failing store: no error")
	}
	r.put("iam", "late", &route{providerID: "p", accountID: "a", at: now, durable: true})
	ob.fail = false
	if err := r.flush(ctx, ob); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		_, err := ob.FindRoute(ctx, "iam", fmt.Sprintf("id%d", i))
		if durable := i%2 == 0; durable != (err == nil) {
			t.Fatalf("route %d (durable %v) in the store: err %v", i, durable, err)
		}
	}
	if _, err := ob.FindRoute(ctx, "iam", "late"); err != nil {
		t.Fatal(err)
	}
	r.put("iam", "new", &route{at: now.Add(routeTTL)})
	r.expire(now.Add(routeTTL + time.Second))
	if r.get("iam", "id0") != nil || r.get("iam", "new") == nil {
		t.Fatal("expire: old route kept or new one dropped")
	}
}
