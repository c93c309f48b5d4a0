package proxy

import (
	"context"
	"hash/maphash"
	"sync"
	"time"

	"github.com/bawwab/bawwab"
)

// routes maps an operator's message ids to their routes, for 72 hours
// (receipts come within the validity period). Every forwarded part puts
// one, from the goroutine of its submission: the map is sharded so that
// those, the receipts' lookups and the expiry's sweep (which walks a
// shard under its lock) do not all wait on one mutex.
type routes struct {
	seed   maphash.Seed
	shards [routeShards]routeShard
}

const routeShards = 16

type routeShard struct {
	mu      sync.Mutex
	m       map[string]*route
	pending []bawwab.OutboxRoute // to record in the outbox store
	_       [64]byte             // a cache line of its own
}

const routeTTL = 72 * time.Hour

// maxPending bounds the routes kept for the store while it fails (per
// shard; about a million in all).
const maxPending = 1 << 20 / routeShards

func (r *routes) init() {
	r.seed = maphash.MakeSeed()
	for i := range r.shards {
		r.shards[i].m = map[string]*route{}
	}
}

func (r *routes) shard(id string) *routeShard {
	return &r.shards[maphash.String(r.seed, id)%routeShards]
}

func (r *routes) put(op, id string, rt *route) {
	k := routeKey(op, id)
	sh := r.shard(id)
	sh.mu.Lock()
	sh.m[k] = rt
	if rt.http == nil && rt.durable {
		sh.pending = append(sh.pending, bawwab.OutboxRoute{OperatorID: op, SMSCMessageID: id,
			ProviderID: rt.providerID, AccountID: rt.accountID, OwnID: rt.ownID, At: rt.at})
	}
	sh.mu.Unlock()
}

// flush records the new routes in the store, so that receipts find their
// way after a restart.
func (r *routes) flush(ctx context.Context, ob bawwab.OutboxService) error {
	var p []bawwab.OutboxRoute
	var from [routeShards]int // where each shard's routes start in p
	for i := range r.shards {
		sh := &r.shards[i]
		from[i] = len(p)
		sh.mu.Lock()
		if len(sh.pending) > 0 {
			if p == nil {
				p = sh.pending
			} else {
				p = append(p, sh.pending...)
			}
			sh.pending = nil
		}
		sh.mu.Unlock()
	}
	if len(p) == 0 {
		return nil
	}
	if err := ob.PutRoutes(ctx, p); err != nil {
		// Again at the next flush, each in its shard.
		for i := range r.shards {
			end := len(p)
			if i+1 < routeShards {
				end = from[i+1]
			}
			if from[i] == end {
				continue
			}
			sh := &r.shards[i]
			sh.mu.Lock()
			sh.pending = append(append([]bawwab.OutboxRoute(nil), p[from[i]:end]...), sh.pending...)
			if n := len(sh.pending); n > maxPending {
				sh.pending = sh.pending[n-maxPending:] // bounded: the oldest are given up
			}
			sh.mu.Unlock()
		}
		return err
	}
	return nil
}

func (r *routes) get(op, id string) *route {
	sh := r.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.m[routeKey(op, id)]
}

func (r *routes) expire(now time.Time) {
	for i := range r.shards {
		sh := &r.shards[i]
		sh.mu.Lock()
		for k, v := range sh.m {
			if now.Sub(v.at) > routeTTL {
				delete(sh.m, k)
			}
		}
		sh.mu.Unlock()
	}
}
