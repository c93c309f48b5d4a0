package progress

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
)

func TestSilentWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	if b := New(&buf, 10, "x", "lines"); b != nil {
		t.Fatal("New on a buffer returned a bar")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := New(f, 10, "x", "lines")
	if b != nil {
		t.Fatal("New on a regular file returned a bar")
	}
	// A nil bar passes reads through and ignores records.
	got, err := io.ReadAll(b.Reader(strings.NewReader("hello")))
	if err != nil || string(got) != "hello" {
		t.Fatalf("Reader = %q, %v", got, err)
	}
	b.Record()
	b.Finish()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Fatalf("a nil bar wrote %d bytes", st.Size())
	}
}
