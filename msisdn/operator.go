package msisdn

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Operator is a Moroccan network operator.
type Operator uint8

// The operators; NoOperator is "unknown".
const (
	NoOperator Operator = iota
	IAM                 // Itissalat Al-Maghrib (Maroc Telecom)
	Orange              // Médi Telecom (Orange Maroc)
	Inwi                // Wana Corporate (inwi)
)

var operatorIDs = [...]string{"", "iam", "orange", "inwi"}

// String returns the operator's ID ("iam", "orange", "inwi"), or "" for
// NoOperator.
func (o Operator) String() string {
	if int(o) < len(operatorIDs) {
		return operatorIDs[o]
	}
	return ""
}

// ErrUnknownOperator is returned for an operator name ParseOperator does
// not know.
var ErrUnknownOperator = errors.New("unknown operator (want iam, orange or inwi)")

// ParseOperator reads an operator's ID or one of its usual names, in any
// case: "iam", "Maroc Telecom", "orange", "Méditel", "inwi", "Wana".
func ParseOperator(s string) (Operator, error) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "iam", "maroc telecom", "itissalat al-maghrib", "itissalat al maghrib", "mt":
		return IAM, nil
	case "orange", "orange maroc", "meditel", "méditel", "medi telecom", "médi telecom":
		return Orange, nil
	case "inwi", "wana", "wana corporate":
		return Inwi, nil
	}
	return NoOperator, ErrUnknownOperator
}

//go:embed prefixes.csv
var prefixesCSV []byte

// PrefixSource describes where the embedded prefix table comes from: the
// comment lines at the top of prefixes.csv (source, version, date).
var PrefixSource string

// prefixRange says that the national significant numbers in [lo, hi) are
// held by op. The ranges are sorted and do not overlap.
type prefixRange struct {
	lo, hi uint32
	op     Operator
}

var prefixRanges = mustLoadPrefixes(prefixesCSV)

func mustLoadPrefixes(data []byte) []prefixRange {
	ranges, source, err := loadPrefixes(data)
	if err != nil {
		panic("msisdn: embedded prefixes.csv: " + err.Error())
	}
	PrefixSource = source
	return ranges
}

// loadPrefixes reads a prefix table (prefix,operator[,holder] lines, '#'
// comments, one header line) and flattens it into ranges, the longest
// prefix winning where prefixes nest.
func loadPrefixes(data []byte) ([]prefixRange, string, error) {
	type entry struct {
		prefix string
		op     Operator
	}
	var (
		entries []entry
		source  strings.Builder
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			continue
		case strings.HasPrefix(text, "#"):
			source.WriteString(strings.TrimSpace(strings.TrimPrefix(text, "#")))
			source.WriteByte('\n')
			continue
		case strings.HasPrefix(text, "prefix,"):
			continue
		}
		fields := strings.Split(text, ",")
		prefix := fields[0]
		if len(fields) < 2 || prefix == "" || len(prefix) > 9 || strings.Trim(prefix, "0123456789") != "" || prefix[0] == '0' {
			return nil, "", fmt.Errorf("line %d: want a prefix of the nine-digit national number and an operator", line)
		}
		op := NoOperator
		if fields[1] != "" {
			var err error
			if op, err = ParseOperator(fields[1]); err != nil {
				return nil, "", fmt.Errorf("line %d: %w", line, err)
			}
		}
		entries = append(entries, entry{prefix, op})
	}
	if err := sc.Err(); err != nil {
		return nil, "", err
	}
	// Cut the number space at every prefix's bounds, give each piece the
	// operator of the longest prefix covering it, and merge neighbours.
	span := func(p string) (lo, hi uint32) {
		v, _ := strconv.ParseUint(p, 10, 32)
		scale := uint32(pow10[9-len(p)])
		return uint32(v) * scale, uint32(v+1) * scale
	}
	var cuts []uint32
	for _, e := range entries {
		lo, hi := span(e.prefix)
		cuts = append(cuts, lo, hi)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var ranges []prefixRange
	for i := 0; i+1 < len(cuts); i++ {
		lo, hi := cuts[i], cuts[i+1]
		best, op := -1, NoOperator
		for _, e := range entries {
			elo, ehi := span(e.prefix)
			if elo <= lo && hi <= ehi && len(e.prefix) > best {
				best, op = len(e.prefix), e.op
			}
		}
		if op == NoOperator {
			continue
		}
		if n := len(ranges); n > 0 && ranges[n-1].hi == lo && ranges[n-1].op == op {
			ranges[n-1].hi = hi
			continue
		}
		ranges = append(ranges, prefixRange{lo, hi, op})
	}
	return ranges, source.String(), nil
}

// RangeHolder returns the operator holding the range of a Moroccan number,
// from the embedded prefix table, or NoOperator when the range is not in it
// (fixed and special numbers, unallocated ranges, an MVNO) or the number is
// not Moroccan. A ported number keeps its range: use Operators to route.
func RangeHolder(n Number) Operator {
	nsn, ok := n.MoroccanNSN()
	if !ok {
		return NoOperator
	}
	return rangeHolder(nsn)
}

func rangeHolder(nsn uint32) Operator {
	// Binary search for the last range starting at or before nsn.
	lo, hi := 0, len(prefixRanges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if prefixRanges[mid].lo <= nsn {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo > 0 && nsn < prefixRanges[lo-1].hi {
		return prefixRanges[lo-1].op
	}
	return NoOperator
}

// Operators tells which operator serves a Moroccan number: the holder of
// its range, unless the number was ported to another operator. It is safe
// for concurrent use; lookups take a read lock only, so the gateway's many
// sessions read while a port report is applied. A nil *Operators knows no
// ports.
type Operators struct {
	mu     sync.RWMutex
	ported map[uint32]Operator // national significant number → operator, only where it differs from the range holder
}

// NewOperators returns an Operators with no ports.
func NewOperators() *Operators {
	return &Operators{ported: make(map[uint32]Operator)}
}

// Operator returns the operator serving n, or NoOperator when it is unknown
// or n is not Moroccan.
func (o *Operators) Operator(n Number) Operator {
	nsn, ok := n.MoroccanNSN()
	if !ok {
		return NoOperator
	}
	if o != nil {
		o.mu.RLock()
		op, ported := o.ported[nsn]
		o.mu.RUnlock()
		if ported {
			return op
		}
	}
	return rangeHolder(nsn)
}

// Port records that n is now served by to, as an operator reports a port.
// A number ported back to its range holder leaves the table.
func (o *Operators) Port(n Number, to Operator) error {
	nsn, ok := n.MoroccanNSN()
	if !ok {
		return errors.New("port: not a Moroccan number")
	}
	if to == NoOperator || int(to) >= len(operatorIDs) {
		return fmt.Errorf("port: %w", ErrUnknownOperator)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if to == rangeHolder(nsn) {
		delete(o.ported, nsn)
	} else {
		o.ported[nsn] = to
	}
	return nil
}

// Ported returns how many numbers are served by another operator than
// their range holder.
func (o *Operators) Ported() int {
	if o == nil {
		return 0
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	return len(o.ported)
}

// LoadPortability reads ports from CSV — number,operator per line, in any
// form Parse and ParseOperator accept, an optional header line, '#'
// comments, further columns ignored — and applies them all, or none when a
// line is wrong (the error names it). It returns the number of lines read.
func (o *Operators) LoadPortability(r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	type port struct {
		nsn uint32
		op  Operator
	}
	var ports []port
	for first := true; ; first = false {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("portability: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) < 2 {
			return 0, fmt.Errorf("portability line %d: want number,operator", line)
		}
		n, err := Parse(rec[0])
		if first && errors.Is(err, ErrNoDigits) {
			continue // a header line ("number,operator")
		}
		if err != nil {
			return 0, fmt.Errorf("portability line %d: %w", line, err)
		}
		nsn, ok := n.MoroccanNSN()
		if !ok {
			return 0, fmt.Errorf("portability line %d: not a Moroccan number", line)
		}
		op, err := ParseOperator(rec[1])
		if err != nil {
			return 0, fmt.Errorf("portability line %d: %w", line, err)
		}
		ports = append(ports, port{nsn, op})
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range ports {
		if p.op == rangeHolder(p.nsn) {
			delete(o.ported, p.nsn)
		} else {
			o.ported[p.nsn] = p.op
		}
	}
	return len(ports), nil
}
