package sim

import (
	"context"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/smpp"
)

// The result counts messages and their parts apart, and the refusals by
// status.
func TestLoadResultBreakdown(t *testing.T) {
	s := startSMSC(t, SMSCConfig{Name: "IAM"})
	ctx := context.Background()
	res, err := RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Count: 2, Texts: []string{strings.Repeat("long ", 150) + "{n}"}})
	if err != nil {
		t.Fatal(err)
	}
	if line := res.String(); !strings.Contains(line, "RESULT sent=2 parts=10 acked=10 errors=0") {
		t.Errorf("two messages of five parts: %s", line)
	}
	res, err = RunLoad(ctx, LoadConfig{Addr: s.Addr().String(), Count: 5, Source: strings.Repeat("1", 30)})
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for st, n := range res.RefusedBy {
		if st == smpp.StatusOK {
			t.Errorf("ESME_ROK counted as a refusal")
		}
		want += n
	}
	if want != 5 || len(res.RefusalCounts()) != 1 || !strings.HasPrefix(res.RefusalCounts()[0], "ESME_") || !strings.HasSuffix(res.RefusalCounts()[0], "=5") {
		t.Errorf("refusals %v %v", res.RefusedBy, res.RefusalCounts())
	}
}

func TestStatusName(t *testing.T) {
	for st, want := range map[smpp.Status]string{
		smpp.StatusThrottled: "ESME_RTHROTTLED",
		0x405:                "recipient-opted-out(R5,0x405)",
		0x40B:                "smsc-unavailable(0x40B)",
		0x4FE:                "ESME_0x000004FE(SMSC vendor-specific)",
	} {
		if got := StatusName(st); got != want {
			t.Errorf("%#x: %q, want %q", uint32(st), got, want)
		}
	}
}
