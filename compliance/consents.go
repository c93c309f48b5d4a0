package compliance

import (
	"fmt"
	"slices"
	"sync"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
)

// ConsentSet is an in-memory Consents: the consents and existing-customer
// records in force, by number and advertiser, for consent mode (R6). The
// gateway fills it from the store's consents at start and then follows the
// change feed, as it does for the opposition index:
//
//	set := compliance.NewConsentSet()
//	for _, c := range consents { set.Apply(*c) }           // in sequence order
//	engine.SetConsents(set)
//	// on a number event of kind reassigned:
//	set.Reassigned(n)
//
// It is safe for concurrent use: lookups take a read lock.
type ConsentSet struct {
	mu sync.RWMutex
	m  map[numberKey][]string // advertiser IDs, few per number
	n  int
}

type numberKey struct {
	cc  uint16
	lz  uint8
	nsn uint64
}

func keyOf(n msisdn.Number) numberKey {
	return numberKey{cc: uint16(n.CountryCode()), lz: uint8(n.LeadingZeros()), nsn: n.NationalNumber()}
}

// NewConsentSet returns an empty set.
func NewConsentSet() *ConsentSet { return &ConsentSet{m: make(map[numberKey][]string)} }

var _ Consents = (*ConsentSet)(nil)

// Apply brings one consent record into force, or takes it out when it has
// lapsed.
func (c *ConsentSet) Apply(con bawwab.Consent) error {
	n, err := msisdn.Parse(con.MSISDN)
	if err != nil {
		return fmt.Errorf("consent %d: number: %w", con.Seq, err)
	}
	if con.AdvertiserID == "" {
		return fmt.Errorf("consent %d: no advertiser", con.Seq)
	}
	k := keyOf(n)
	c.mu.Lock()
	defer c.mu.Unlock()
	advs := c.m[k]
	i := slices.Index(advs, con.AdvertiserID)
	switch {
	case con.Lapsed && i >= 0:
		advs = slices.Delete(advs, i, i+1)
		c.n--
		if len(advs) == 0 {
			delete(c.m, k)
		} else {
			c.m[k] = advs
		}
	case !con.Lapsed && i < 0:
		c.m[k] = append(advs, con.AdvertiserID)
		c.n++
	}
	return nil
}

// Reassigned lapses every consent of a number an operator reports given to
// a new subscriber.
func (c *ConsentSet) Reassigned(n msisdn.Number) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := keyOf(n)
	c.n -= len(c.m[k])
	delete(c.m, k)
}

// Consented implements Consents.
func (c *ConsentSet) Consented(n msisdn.Number, advertiserID string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Contains(c.m[keyOf(n)], advertiserID)
}

// Len returns the number of consents in force.
func (c *ConsentSet) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.n
}
