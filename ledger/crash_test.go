package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
)

// TestCrashRecovery kills, with SIGKILL, a child process appending under
// load from many goroutines, which tells the parent over a pipe every
// index it was acknowledged. After each kill the ledger reopens, holds
// every acknowledged entry as it was appended, and verifies.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	e := newEnv(t)
	acked := map[int64]string{}
	for round := range 4 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "BAWWAB_CRASH_LEDGER="+e.dir, "BAWWAB_CRASH_KEYS="+e.keys, fmt.Sprintf("BAWWAB_CRASH_ROUND=%d", round))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		// Kill at a different moment each round: after some acks, with
		// appends, syncs and checkpoints in flight.
		killAfter := 500 + round*1500
		n := 0
		killed := false
		for sc.Scan() {
			idx, detail, ok := strings.Cut(sc.Text(), " ")
			if !ok {
				continue
			}
			i, err := strconv.ParseInt(idx, 10, 64)
			if err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
			if prev, dup := acked[i]; dup && prev != detail {
				t.Fatalf("index %d acknowledged twice: %q and %q", i, prev, detail)
			}
			acked[i] = detail
			if n++; n == killAfter && !killed {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("round %d: the child ended before it was killed: %v", round, err)
		}
		// Verifiable as left by the kill (after the first round: in the
		// first, no checkpoint may have been signed yet).
		if rep := e.verify(); rep.Problem != nil && round > 0 {
			t.Fatalf("round %d: verify after the kill, before reopening: %v", round, rep.Problem)
		}
		// The acknowledged entries survive, unchanged.
		l := e.open()
		t.Logf("round %d: %d acknowledged in all, ledger of %d entries; recovery: %q", round, len(acked), l.Len(), l.Recovered())
		ctx := context.Background()
		for i, detail := range acked {
			en, err := l.FindEntryByIndex(ctx, i)
			if err != nil {
				t.Fatalf("round %d: acknowledged entry %d: %v", round, i, err)
			}
			if en.Detail != detail {
				t.Fatalf("round %d: entry %d holds %q, acknowledged as %q", round, i, en.Detail, detail)
			}
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		e.mustVerify()
	}
}

// TestCrashChild is the child of TestCrashRecovery: it appends until it is
// killed and prints "index detail" for every acknowledged append.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("BAWWAB_CRASH_LEDGER")
	if dir == "" {
		t.Skip("run by TestCrashRecovery")
	}
	keys := os.Getenv("BAWWAB_CRASH_KEYS")
	round := os.Getenv("BAWWAB_CRASH_ROUND")
	kr, err := ledger.OpenKeyring(filepath.Join(keys, "pseudonym.keys"), ledger.KeyringOptions{})
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(dir, ledger.Options{
		SigningKeyFile:     filepath.Join(keys, "signing.key"),
		Origin:             "test-ledger",
		Keyring:            kr,
		SegmentSize:        128 << 10,
		CheckpointEvery:    700,
		CheckpointInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ack := func(i int64, detail string) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, "%d %s\n", i, detail)
		mu.Unlock()
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for k := 0; ; k++ {
				if w%8 == 0 {
					// Some appenders send batches.
					batch := make([]*bawwab.LedgerEntry, 5)
					for j := range batch {
						batch[j] = decision(w*1000 + k*5 + j)
						batch[j].Detail = fmt.Sprintf("r%s-w%d-k%d-j%d", round, w, k, j)
					}
					first, err := l.AppendBatch(ctx, batch)
					if err != nil {
						t.Error(err)
						return
					}
					for j, en := range batch {
						ack(first+int64(j), en.Detail)
					}
					continue
				}
				en := decision(w*1000 + k)
				en.Detail = fmt.Sprintf("r%s-w%d-k%d", round, w, k)
				i, err := l.Append(ctx, en)
				if err != nil {
					t.Error(err)
					return
				}
				ack(i, en.Detail)
			}
		})
	}
	wg.Wait()
}
