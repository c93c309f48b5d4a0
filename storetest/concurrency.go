package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// testConcurrentWriters runs writers of every kind at once while a follower
// reads the change feed, as a gateway node does. The follower must see a
// dense, ordered feed (it checks each page starts right after the last
// change it saw), and what it rebuilds from the feed must equal the final
// state. With sequence numbers taken from a plain database sequence, a
// follower would sometimes see change N+1 committed before change N, move
// past N and lose it; this test is what catches that.
func testConcurrentWriters(t *testing.T, b Backend) {
	st := open(t, b)
	seed(t, st)
	ctx := context.Background()
	start := lastSeq(t, st)

	const writers, each = 6, 25
	done := make(chan struct{})
	var follower struct {
		changes []bawwab.Change
		err     error
	}
	var fwg sync.WaitGroup
	fwg.Add(1)
	go func() {
		defer fwg.Done()
		after := start
		for {
			// Whether the writers had finished before this read: then an
			// empty read means the follower has seen everything.
			var finished bool
			select {
			case <-done:
				finished = true
			default:
			}
			cs, err := st.Feed.Changes(ctx, after, 50)
			if err != nil {
				follower.err = err
				return
			}
			for _, c := range cs {
				if c.Seq != after+1 {
					follower.err = fmt.Errorf("follower saw change %d right after %d", c.Seq, after)
					return
				}
				after = c.Seq
			}
			follower.changes = append(follower.changes, cs...)
			if len(cs) == 0 {
				if finished {
					return
				}
				time.Sleep(time.Millisecond)
			}
		}
	}()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	at := epoch.Add(time.Hour)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				var err error
				switch (w + i) % 4 {
				case 0, 1:
					err = st.Oppositions.RecordOpposition(ctx, opp(num(w*1000+i), national, bawwab.ActionStop, at, "3030"))
				case 2:
					err = st.Registry.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: fmt.Sprintf("brand-%d-%d", w, i), Name: "Brand", ProviderIDs: []string{"atlasvas"}})
				case 3:
					err = st.Consents.RecordConsent(ctx, &bawwab.Consent{MSISDN: num(w*1000 + i), AdvertiserID: "souk-nour", At: at, Channel: "web"})
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d, write %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(done)
	fwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if follower.err != nil {
		t.Fatal(follower.err)
	}

	end := lastSeq(t, st)
	if end != start+writers*each {
		t.Fatalf("sequence went from %d to %d after %d writes", start, end, writers*each)
	}
	if int64(len(follower.changes)) != end-start {
		t.Fatalf("follower saw %d changes, want %d", len(follower.changes), end-start)
	}
	// What the follower rebuilt equals the store.
	brands := 0
	var oppositions int
	for _, c := range follower.changes {
		switch c.Kind {
		case bawwab.KindAdvertiser:
			brands++
		case bawwab.KindOpposition:
			oppositions++
		}
	}
	_, n, err := st.Registry.FindAdvertisers(ctx, bawwab.AdvertiserFilter{})
	must(t, err)
	if n != len(newFixture().advertisers)+brands {
		t.Fatalf("store has %d advertisers, follower saw %d created", n, brands)
	}
	streamed := collect(t, st.Oppositions.StreamOppositions(ctx, start))
	if len(streamed) != oppositions {
		t.Fatalf("store has %d new oppositions, follower saw %d", len(streamed), oppositions)
	}
}
