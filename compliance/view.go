package compliance

import (
	"fmt"
	"math"
	"slices"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/msisdn"
	"github.com/bawwab/bawwab/textcheck"
)

// View is the registry as the rules read it: immutable, indexed so that a
// decision makes a few map lookups and nothing else, with each sender ID's
// opt-out channels (its provider's and its advertiser's) prepared as the
// text checker takes them. Build one with NewView from a registry snapshot
// whenever the registry changes, and hand it to Engine.SetView, which swaps
// it in atomically; decisions in flight finish on the view they started
// with.
type View struct {
	seq         int64
	accounts    map[string]*account
	providers   []*provider
	providerIx  map[string]*provider
	advertisers []*advertiser
	senders     map[string]*sender
	national    string // the national StopSMS code, "" when none
	skipped     []string
}

// provider is a provider as R1 reads it.
type provider struct {
	idx        int // in View.providers, for the engine's per-provider tables
	id         string
	status     bawwab.ProviderStatus
	declared   bool  // has an ANRT declaration, or is an operator's own account
	declaredAt int64 // Unix nanoseconds of the declaration (math.MinInt64: an operator's own)
	own        msisdn.Operator
	// contracts are the periods of the contracts with each operator,
	// indexed by msisdn.Operator.
	contracts [4][]period
	channels  []textcheck.Channel // provider-scope opt-out channels
}

// period is [from, to) in Unix nanoseconds.
type period struct{ from, to int64 }

type account struct {
	prov     *provider // nil: the account's provider is not in the registry
	provID   string
	disabled bool
}

type advertiser struct {
	idx       int // in View.advertisers
	id        string
	providers []string
	channels  []textcheck.Channel // advertiser-scope opt-out channels
}

// sender is a sender ID with what R2, R4 and R5 need.
type sender struct {
	value    string
	provID   string
	prov     *provider   // nil when the provider is not in the registry
	adv      *advertiser // nil when the advertiser is not in the registry
	category bawwab.Category
	// actsFor is false when the advertiser no longer lists the provider.
	actsFor bool
	// channels are the opt-out channels of the provider and the
	// advertiser, for the text checker.
	channels []textcheck.Channel
}

// NewView indexes a registry snapshot (RegistryService.Snapshot). Records that refer to what is not
// there (a contract with an unknown operator, an account of a missing
// provider) do not stop it: they can authorise nothing, and Skipped lists
// them for the logs. Two records that make a rule ambiguous (two national
// opt-out channels) are an error: keep the previous view then.
func NewView(reg *bawwab.Registry) (*View, error) {
	v := &View{
		seq:        reg.Seq,
		accounts:   make(map[string]*account, len(reg.Accounts)),
		providerIx: make(map[string]*provider, len(reg.Providers)),
		senders:    make(map[string]*sender, len(reg.SenderIDs)),
	}
	for _, p := range reg.Providers {
		if _, dup := v.providerIx[p.ID]; dup {
			return nil, fmt.Errorf("registry view: provider %q appears twice", p.ID)
		}
		e := &provider{idx: len(v.providers), id: p.ID, status: p.Status}
		if p.OperatorID != "" {
			op, err := msisdn.ParseOperator(p.OperatorID)
			if err != nil {
				// An operator's account of an unknown operator reaches
				// nobody: keep it undeclared so R1 refuses it.
				v.skip("provider %s: operator %q: %v", p.ID, p.OperatorID, err)
			} else {
				e.own, e.declared, e.declaredAt = op, true, math.MinInt64
			}
		} else if p.ANRTDeclaration != "" && !p.DeclaredAt.IsZero() {
			e.declared, e.declaredAt = true, p.DeclaredAt.UnixNano()
		}
		v.providers = append(v.providers, e)
		v.providerIx[p.ID] = e
	}
	for _, a := range reg.Accounts {
		if _, dup := v.accounts[a.ID]; dup {
			return nil, fmt.Errorf("registry view: account %q appears twice", a.ID)
		}
		e := &account{prov: v.providerIx[a.ProviderID], provID: a.ProviderID, disabled: a.Disabled}
		if e.prov == nil {
			v.skip("account %s: provider %q is not in the registry", a.ID, a.ProviderID)
		}
		v.accounts[a.ID] = e
	}
	for _, c := range reg.Contracts {
		p := v.providerIx[c.ProviderID]
		if p == nil {
			v.skip("contract %s: provider %q is not in the registry", c.ID, c.ProviderID)
			continue
		}
		op, err := msisdn.ParseOperator(c.OperatorID)
		if err != nil {
			v.skip("contract %s: operator %q: %v", c.ID, c.OperatorID, err)
			continue
		}
		per := period{from: c.ValidFrom.UnixNano(), to: math.MaxInt64}
		if !c.ValidTo.IsZero() {
			per.to = c.ValidTo.UnixNano()
		}
		p.contracts[op] = append(p.contracts[op], per)
	}
	advIx := make(map[string]*advertiser, len(reg.Advertisers))
	for _, a := range reg.Advertisers {
		if _, dup := advIx[a.ID]; dup {
			return nil, fmt.Errorf("registry view: advertiser %q appears twice", a.ID)
		}
		e := &advertiser{idx: len(v.advertisers), id: a.ID, providers: slices.Clone(a.ProviderIDs)}
		v.advertisers = append(v.advertisers, e)
		advIx[a.ID] = e
	}
	var national *bawwab.Channel
	for _, c := range reg.Channels {
		if c.Purpose != bawwab.PurposeOptOut {
			continue
		}
		ch := textcheck.Channel{Code: c.Code, Free: c.Free}
		switch c.Scope {
		case bawwab.ChannelNational:
			if !c.Free {
				v.skip("channel %s: a national opt-out channel must be free", c.Code)
				continue
			}
			if national != nil {
				return nil, fmt.Errorf("registry view: two national opt-out channels, %s and %s", national.Code, c.Code)
			}
			national = c
			v.national = c.Code
		case bawwab.ChannelProvider:
			if p := v.providerIx[c.ProviderID]; p != nil {
				p.channels = append(p.channels, ch)
			} else {
				v.skip("channel %s: provider %q is not in the registry", c.Code, c.ProviderID)
			}
		case bawwab.ChannelAdvertiser:
			if a := advIx[c.AdvertiserID]; a != nil {
				a.channels = append(a.channels, ch)
			} else {
				v.skip("channel %s: advertiser %q is not in the registry", c.Code, c.AdvertiserID)
			}
		}
	}
	for _, s := range reg.SenderIDs {
		if _, dup := v.senders[s.Value]; dup {
			return nil, fmt.Errorf("registry view: sender ID %q appears twice", s.Value)
		}
		e := &sender{
			value:    s.Value,
			provID:   s.ProviderID,
			prov:     v.providerIx[s.ProviderID],
			adv:      advIx[s.AdvertiserID],
			category: s.Category,
		}
		if e.prov == nil {
			v.skip("sender %s: provider %q is not in the registry", s.Value, s.ProviderID)
		}
		if e.adv == nil {
			v.skip("sender %s: advertiser %q is not in the registry", s.Value, s.AdvertiserID)
		} else {
			e.actsFor = slices.Contains(e.adv.providers, s.ProviderID)
		}
		if e.prov != nil {
			e.channels = append(e.channels, e.prov.channels...)
		}
		if e.adv != nil {
			for _, c := range e.adv.channels {
				if !slices.Contains(e.channels, c) {
					e.channels = append(e.channels, c)
				}
			}
		}
		e.channels = slices.Clip(e.channels)
		v.senders[s.Value] = e
	}
	return v, nil
}

func (v *View) skip(format string, args ...any) {
	v.skipped = append(v.skipped, fmt.Sprintf(format, args...))
}

// Seq returns the change sequence number of the registry snapshot.
func (v *View) Seq() int64 { return v.seq }

// Skipped lists the records that refer to something missing and therefore
// authorise nothing, one line each, for the logs.
func (v *View) Skipped() []string { return slices.Clone(v.skipped) }

// National returns the code of the national StopSMS channel, or "" when the
// registry has none.
func (v *View) National() string { return v.national }

// inContract reports whether p has a contract with op in force at t.
func (p *provider) inContract(op msisdn.Operator, t int64) bool {
	if int(op) >= len(p.contracts) {
		return false
	}
	for _, c := range p.contracts[op] {
		if c.from <= t && t < c.to {
			return true
		}
	}
	return false
}
