package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bawwab/bawwab/msisdn"
)

// msisdnOperatorsWithPorts returns Operators with 100,000 ports loaded.
func msisdnOperatorsWithPorts(tb testing.TB) *msisdn.Operators {
	var csv strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&csv, "0%d,inwi\n", 661000000+i*13)
	}
	ops := msisdn.NewOperators()
	if _, err := ops.LoadPortability(strings.NewReader(csv.String())); err != nil {
		tb.Fatal(err)
	}
	return ops
}
