//go:build ignore

// gen_prefixes writes prefixes.csv, the table of Moroccan number ranges and
// the operator holding each, from the libphonenumber carrier data shipped in
// github.com/nyaruka/phonenumbers (the version pinned in go.mod).
//
// It asks the library's public API (GetCarrierWithPrefixForNumber) about
// every six-digit prefix of the national significant numbers starting with
// 5 to 8 — the library never matches a carrier prefix longer than that for
// +212 — and keeps each distinct prefix it answered with, so the table holds
// exactly the entries the library can reach. Run it with
//
//	go generate ./msisdn
//
// after a phonenumbers upgrade, then review the diff of prefixes.csv.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// operatorIDs maps libphonenumber's carrier names to Bawwab's operator IDs.
// A carrier not listed here (an MVNO such as Al Hourria Telecom) is written
// with an empty ID, which the package reads as "unknown operator".
var operatorIDs = map[string]string{
	"Maroc Telecom": "iam",
	"Orange":        "orange",
	"Inwi":          "inwi",
}

func main() {
	out := flag.String("o", "prefixes.csv", "output file")
	metadata := flag.String("metadata", "libphonenumber 9.0.32-SNAPSHOT", "upstream metadata version of the pinned phonenumbers release (see its CHANGELOG)")
	flag.Parse()

	version := moduleVersion("github.com/nyaruka/phonenumbers")
	type entry struct {
		prefix  string // national significant number prefix
		carrier string
	}
	found := map[string]string{}
	num := &phonenumbers.PhoneNumber{}
	for p := 500000; p < 900000; p++ {
		num.CountryCode = proto32(212)
		nsn := uint64(p) * 1000
		num.NationalNumber = &nsn
		carrier, prefix, err := phonenumbers.GetCarrierWithPrefixForNumber(num, "en")
		if err != nil {
			log.Fatalf("carrier for %d: %v", nsn, err)
		}
		if carrier == "" {
			continue
		}
		key := strings.TrimPrefix(strconv.Itoa(prefix), "212")
		if old, ok := found[key]; ok && old != carrier {
			log.Fatalf("prefix %s: two carriers %q and %q", key, old, carrier)
		}
		found[key] = carrier
	}
	entries := make([]entry, 0, len(found))
	for p, c := range found {
		entries = append(entries, entry{p, c})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].prefix < entries[j].prefix })

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Moroccan number ranges and the operator holding each (longest prefix wins).\n")
	fmt.Fprintf(w, "# Source: libphonenumber carrier data (resources/carrier/en/212.txt) as shipped in\n")
	fmt.Fprintf(w, "# github.com/nyaruka/phonenumbers %s (metadata %s).\n", version, *metadata)
	fmt.Fprintf(w, "# Generated %s by gen_prefixes.go (go generate ./msisdn); do not edit by hand.\n", time.Now().UTC().Format("2006-01-02"))
	fmt.Fprintf(w, "# These are range holders: a ported number keeps its prefix, so routing\n")
	fmt.Fprintf(w, "# must apply the portability table on top. An empty operator is a holder\n")
	fmt.Fprintf(w, "# other than iam, orange and inwi (an MVNO), read as unknown.\n")
	fmt.Fprintf(w, "prefix,operator,holder\n")
	for _, e := range entries {
		fmt.Fprintf(w, "%s,%s,%s\n", e.prefix, operatorIDs[e.carrier], e.carrier)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %d prefixes to %s", len(entries), *out)
}

func proto32(v int32) *int32 { return &v }

// moduleVersion returns the version of a dependency of this build.
func moduleVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if ok {
		for _, d := range info.Deps {
			if d.Path == path {
				if d.Replace != nil {
					return d.Replace.Version
				}
				return d.Version
			}
		}
	}
	return "(unknown version)"
}
