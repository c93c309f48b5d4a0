package storetest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

func testReopen(t *testing.T, b Backend) {
	loc := b.NewLocation(t)
	ctx := context.Background()
	st, closer := openAt(t, b, loc)
	seed(t, st)
	must(t, st.Oppositions.RecordOpposition(ctx, opp(num(1), national, bawwab.ActionStop, epoch, "3030")))
	before, err := st.Registry.Snapshot(ctx)
	must(t, err)
	must(t, closer.Close())

	// Opening again migrates nothing and finds everything.
	st, _ = openAt(t, b, loc)
	after, err := st.Registry.Snapshot(ctx)
	must(t, err)
	deepEqual(t, "registry after reopening", after, before)
	inForce, err := st.Oppositions.FindOppositionsInForce(ctx, num(1))
	must(t, err)
	if len(inForce) != 1 {
		t.Fatalf("oppositions after reopening = %+v", inForce)
	}
	e := opp(num(2), national, bawwab.ActionStop, epoch, "3030")
	must(t, st.Oppositions.RecordOpposition(ctx, e))
	if e.Seq != before.Seq+1 {
		t.Fatalf("first write after reopening got seq %d, want %d", e.Seq, before.Seq+1)
	}
}

// The crash-safety test runs the test binary again as a child that writes
// without pause (bulk imports, single events, registry changes) and prints
// what it has been told is committed; the parent kills it with SIGKILL at a
// random moment, reopens the store and checks it: the change feed is dense,
// every acknowledged write is there, every import is all or nothing, the
// backend's own checks pass, and writing continues.
const (
	envCrashLoc     = "BAWWAB_STORETEST_CRASH_LOC"
	envCrashBackend = "BAWWAB_STORETEST_CRASH_BACKEND"
	crashBatch      = 1200 // above the SQLite test backend's bulk threshold
	crashRounds     = 3
)

func testCrashSafety(t *testing.T, b Backend) {
	if testing.Short() {
		t.Skip("re-runs the test binary")
	}
	loc := b.NewLocation(t)
	st, closer := openAt(t, b, loc)
	seed(t, st)
	must(t, closer.Close())

	top, _, _ := strings.Cut(t.Name(), "/")
	acked := map[int64]bawwab.RecordKind{}
	var brands []string
	for round := range crashRounds {
		cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(top)+"$", "-test.count=1", "-test.timeout=5m")
		cmd.Env = append(os.Environ(), envCrashLoc+"="+loc, envCrashBackend+"="+b.Name)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		must(t, err)
		must(t, cmd.Start())

		// Read acknowledgements until the child has committed a few
		// imports and singles, then kill it at a random moment.
		lines := bufio.NewScanner(out)
		var singles, batches int
		deadline := time.AfterFunc(time.Minute, func() { cmd.Process.Kill() })
		for lines.Scan() {
			f := strings.Fields(lines.Text())
			if len(f) < 3 || f[0] != "crash:" {
				continue
			}
			switch f[1] {
			case "opposition", "consent":
				seq, _ := strconv.ParseInt(f[2], 10, 64)
				acked[seq] = bawwab.RecordKind(f[1])
				singles++
			case "advertiser":
				brands = append(brands, f[2])
				singles++
			case "batch":
				batches++
			}
			if singles >= 10 && batches >= 1 {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
		must(t, cmd.Process.Signal(syscall.SIGKILL))
		go func() { // drain, so that the child's last writes do not block
			for lines.Scan() {
			}
		}()
		err = cmd.Wait()
		deadline.Stop()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended with %v before it was killed (%d singles, %d batches acknowledged)", round, err, singles, batches)
		}
		checkAfterCrash(t, b, loc, acked, brands)
	}
}

func checkAfterCrash(t *testing.T, b Backend, loc string, acked map[int64]bawwab.RecordKind, brands []string) {
	t.Helper()
	ctx := context.Background()
	if b.Check != nil {
		if err := b.Check(ctx, loc); err != nil {
			t.Fatalf("after the crash: %v", err)
		}
	}
	st, closer := openAt(t, b, loc)
	defer closer.Close()
	changes := allChanges(t, st, 0, 0) // dense and ordered, or it fails
	last := lastSeq(t, st)
	if int64(len(changes)) != last {
		t.Fatalf("after the crash: %d changes in the feed, last sequence %d", len(changes), last)
	}
	for seq, kind := range acked {
		if seq > last || changes[seq-1].Kind != kind {
			t.Fatalf("after the crash: acknowledged %s %d is missing", kind, seq)
		}
	}
	for _, id := range brands {
		if _, err := st.Registry.FindAdvertiserByID(ctx, id); err != nil {
			t.Fatalf("after the crash: acknowledged advertiser %s: %v", id, err)
		}
	}
	// Each import is all or nothing: its events come in runs of whole
	// batches.
	run := 0
	for i, c := range changes {
		o, ok := c.Record.(*bawwab.Opposition)
		if ok && o.Channel == "crash-batch" {
			run++
		}
		if (!ok || o.Channel != "crash-batch" || i == len(changes)-1) && run > 0 {
			if run%crashBatch != 0 {
				t.Fatalf("after the crash: a run of %d imported events ends at seq %d, not whole batches of %d", run, c.Seq, crashBatch)
			}
			run = 0
		}
	}
	e := opp(num(1), national, bawwab.ActionStart, epoch, "web")
	must(t, st.Oppositions.RecordOpposition(ctx, e))
	if e.Seq != last+1 {
		t.Fatalf("after the crash: a new event got seq %d, want %d", e.Seq, last+1)
	}
}

// crashChild plays the child of testCrashSafety when the environment says
// so, and reports whether it did. It writes until it is killed.
func crashChild(t *testing.T, b Backend) bool {
	loc := os.Getenv(envCrashLoc)
	if loc == "" || os.Getenv(envCrashBackend) != b.Name {
		return false
	}
	ctx := context.Background()
	st, _, err := b.Open(ctx, loc, time.Now)
	if err != nil {
		t.Fatalf("crash child: open: %v", err)
	}
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(os.Stdout, "crash: "+format+"\n", args...)
	}
	errs := make(chan error, 2)
	go func() {
		for k := 0; ; k++ {
			src := func(yield func(bawwab.Opposition, error) bool) {
				for i := range crashBatch {
					o := bawwab.Opposition{MSISDN: num(k*crashBatch + i), Scope: national, At: epoch, Channel: "crash-batch"}
					if !yield(o, nil) {
						return
					}
				}
			}
			res, err := st.Oppositions.ImportOppositions(ctx, src)
			if err != nil {
				errs <- err
				return
			}
			say("batch %d %d", res.FirstSeq, res.LastSeq)
		}
	}()
	go func() {
		nonce := time.Now().UnixNano()
		for i := 0; ; i++ {
			switch i % 4 {
			case 0, 1:
				o := opp(num(i), atlasMkt, bawwab.ActionStop, epoch, "crash-single")
				if err := st.Oppositions.RecordOpposition(ctx, o); err != nil {
					errs <- err
					return
				}
				say("opposition %d", o.Seq)
			case 2:
				id := fmt.Sprintf("crash-%d-%d", nonce, i)
				if err := st.Registry.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: id, Name: "Crash", ProviderIDs: []string{"atlasvas"}}); err != nil {
					errs <- err
					return
				}
				say("advertiser %s", id)
			case 3:
				c := &bawwab.Consent{MSISDN: num(i), AdvertiserID: "souk-nour", At: epoch, Channel: "crash-single"}
				if err := st.Consents.RecordConsent(ctx, c); err != nil {
					errs <- err
					return
				}
				say("consent %d", c.Seq)
			}
		}
	}()
	select {
	case err := <-errs:
		t.Fatalf("crash child: %v", err)
	case <-time.After(2 * time.Minute):
		t.Fatal("crash child: not killed")
	}
	return true
}
