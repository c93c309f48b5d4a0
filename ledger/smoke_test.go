package ledger_test

import (
	"context"
	"testing"
)

func TestSmoke(t *testing.T) {
	e := newEnv(t)
	l := e.open()
	appendN(t, l, 1000)
	if _, err := l.Append(context.Background(), decision(5)); err != nil {
		t.Fatal(err)
	}
	got, err := l.FindEntryByIndex(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", got)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rep := e.mustVerify()
	t.Logf("%+v latest=%d", rep, rep.Latest.N)
	l = e.open()
	appendN(t, l, 10)
	l.Close()
	rep = e.mustVerify()
	t.Logf("%+v", rep)
}
