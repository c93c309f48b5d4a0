package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
)

// RegistryService is the registry on SQLite.
type RegistryService struct {
	db *DB
}

var _ bawwab.RegistryService = (*RegistryService)(nil)

// NewRegistryService returns the registry of db.
func NewRegistryService(db *DB) *RegistryService { return &RegistryService{db: db} }

var operators = &table[bawwab.Operator]{
	kind: bawwab.KindOperator,
	name: "operators",
	cols: []string{"id", "name"},
	values: func(o *bawwab.Operator) []any {
		return []any{o.ID, o.Name}
	},
	scan: func(s scanner) (*bawwab.Operator, error) {
		var o bawwab.Operator
		return &o, s.Scan(&o.ID, &o.Name)
	},
	key:  func(o *bawwab.Operator) string { return o.ID },
	norm: func(*bawwab.Operator) {},
}

var providers = &table[bawwab.Provider]{
	kind:       bawwab.KindProvider,
	name:       "providers",
	cols:       []string{"id", "name", "anrt_declaration", "declared_at", "status", "operator_id"},
	tenantCond: "id = ?",
	values: func(p *bawwab.Provider) []any {
		return []any{p.ID, p.Name, p.ANRTDeclaration, tstz(p.DeclaredAt), int(p.Status), nullString(p.OperatorID)}
	},
	scan: func(s scanner) (*bawwab.Provider, error) {
		var p bawwab.Provider
		var at *time.Time
		var op *string
		err := s.Scan(&p.ID, &p.Name, &p.ANRTDeclaration, &at, &p.Status, &op)
		p.DeclaredAt, p.OperatorID = fromTstz(at), deref(op)
		return &p, err
	},
	key:  func(p *bawwab.Provider) string { return p.ID },
	norm: func(p *bawwab.Provider) { p.DeclaredAt = utc(p.DeclaredAt) },
	check: func(ctx context.Context, tx pgx.Tx, _, p *bawwab.Provider) error {
		if p.OperatorID != "" {
			return refExists(ctx, tx, "operator_id", "operators", "id", p.OperatorID, "operator")
		}
		return nil
	},
}

var accounts = &table[bawwab.Account]{
	kind:       bawwab.KindAccount,
	name:       "accounts",
	cols:       []string{"id", "provider_id", "kind", "secret_hash", "max_binds", "rate_limit", "disabled"},
	tenantCond: "provider_id = ?",
	ownedBy:    func(a *bawwab.Account, p string) bool { return a.ProviderID == p },
	values: func(a *bawwab.Account) []any {
		return []any{a.ID, a.ProviderID, int(a.Kind), a.SecretHash, a.MaxBinds, a.RateLimit, a.Disabled}
	},
	scan: func(s scanner) (*bawwab.Account, error) {
		var a bawwab.Account
		return &a, s.Scan(&a.ID, &a.ProviderID, &a.Kind, &a.SecretHash, &a.MaxBinds, &a.RateLimit, &a.Disabled)
	},
	key:  func(a *bawwab.Account) string { return a.ID },
	norm: func(*bawwab.Account) {},
	check: func(ctx context.Context, tx pgx.Tx, old, a *bawwab.Account) error {
		if old != nil && (old.ProviderID != a.ProviderID || old.Kind != a.Kind) {
			return bawwab.InvalidField("provider_id", "an account's provider and kind cannot change")
		}
		return refExists(ctx, tx, "provider_id", "providers", "id", a.ProviderID, "provider")
	},
}

var contracts = &table[bawwab.Contract]{
	kind:       bawwab.KindContract,
	name:       "contracts",
	cols:       []string{"id", "provider_id", "operator_id", "valid_from", "valid_to", "daily_cap"},
	tenantCond: "provider_id = ?",
	values: func(c *bawwab.Contract) []any {
		return []any{c.ID, c.ProviderID, c.OperatorID, tstz(c.ValidFrom), tstz(c.ValidTo), c.DailyCap}
	},
	scan: func(s scanner) (*bawwab.Contract, error) {
		var c bawwab.Contract
		var from, to *time.Time
		err := s.Scan(&c.ID, &c.ProviderID, &c.OperatorID, &from, &to, &c.DailyCap)
		c.ValidFrom, c.ValidTo = fromTstz(from), fromTstz(to)
		return &c, err
	},
	key:  func(c *bawwab.Contract) string { return c.ID },
	norm: func(c *bawwab.Contract) { c.ValidFrom, c.ValidTo = utc(c.ValidFrom), utc(c.ValidTo) },
	check: func(ctx context.Context, tx pgx.Tx, old, c *bawwab.Contract) error {
		if err := refExists(ctx, tx, "provider_id", "providers", "id", c.ProviderID, "provider"); err != nil {
			return err
		}
		return refExists(ctx, tx, "operator_id", "operators", "id", c.OperatorID, "operator")
	},
}

const providersAdvertisers = "SELECT advertiser_id FROM advertiser_providers WHERE provider_id = ?"

var advertisers = &table[bawwab.Advertiser]{
	kind:       bawwab.KindAdvertiser,
	name:       "advertisers",
	cols:       []string{"id", "name", "sector", "contact"},
	tenantCond: "id IN (" + providersAdvertisers + ")",
	values: func(a *bawwab.Advertiser) []any {
		return []any{a.ID, a.Name, a.Sector, a.Contact}
	},
	scan: func(s scanner) (*bawwab.Advertiser, error) {
		var a bawwab.Advertiser
		return &a, s.Scan(&a.ID, &a.Name, &a.Sector, &a.Contact)
	},
	key: func(a *bawwab.Advertiser) string { return a.ID },
	norm: func(a *bawwab.Advertiser) {
		if len(a.ProviderIDs) == 0 {
			a.ProviderIDs = nil
		} else {
			a.ProviderIDs = slices.Sorted(slices.Values(a.ProviderIDs))
		}
	},
	check: func(ctx context.Context, tx pgx.Tx, old, a *bawwab.Advertiser) error {
		for _, p := range a.ProviderIDs {
			if err := refExists(ctx, tx, "provider_ids", "providers", "id", p, "provider"); err != nil {
				return err
			}
		}
		if old == nil {
			return nil
		}
		for _, p := range old.ProviderIDs {
			if slices.Contains(a.ProviderIDs, p) {
				continue
			}
			var n int
			if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM senders WHERE advertiser_id = $1 AND provider_id = $2)
				+ (SELECT count(*) FROM channels WHERE advertiser_id = $1 AND provider_id = $2)`, a.ID, p).Scan(&n); err != nil {
				return fmt.Errorf("look up advertiser's senders: %w", err)
			}
			if n > 0 {
				return bawwab.Errorf(bawwab.ECONFLICT, "provider %q still has sender IDs or channels of advertiser %q; move or delete them first", p, a.ID)
			}
		}
		return nil
	},
	afterPut: func(ctx context.Context, tx pgx.Tx, a *bawwab.Advertiser) error {
		if _, err := tx.Exec(ctx, "DELETE FROM advertiser_providers WHERE advertiser_id = $1", a.ID); err != nil {
			return fmt.Errorf("write advertiser's providers: %w", err)
		}
		for _, p := range a.ProviderIDs {
			if _, err := tx.Exec(ctx, "INSERT INTO advertiser_providers (advertiser_id, provider_id) VALUES ($1, $2)", a.ID, p); err != nil {
				return fmt.Errorf("write advertiser's providers: %w", err)
			}
		}
		return nil
	},
	load: func(ctx context.Context, q querier, recs []*bawwab.Advertiser) error {
		byID := make(map[string]*bawwab.Advertiser, len(recs))
		ids := make([]any, len(recs))
		for i, a := range recs {
			byID[a.ID] = a
			ids[i] = a.ID
		}
		query := "SELECT advertiser_id, provider_id FROM advertiser_providers"
		if len(recs) <= 500 {
			query += " WHERE advertiser_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		} else {
			ids = nil
		}
		rows, err := q.Query(ctx, rebind(query+" ORDER BY advertiser_id, provider_id"), ids...)
		if err != nil {
			return fmt.Errorf("load advertisers' providers: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var a, p string
			if err := rows.Scan(&a, &p); err != nil {
				return fmt.Errorf("load advertisers' providers: %w", err)
			}
			if r := byID[a]; r != nil {
				r.ProviderIDs = append(r.ProviderIDs, p)
			}
		}
		return rows.Err()
	},
}

var senders = &table[bawwab.SenderID]{
	kind:       bawwab.KindSenderID,
	name:       "senders",
	cols:       []string{"value", "value_fold", "provider_id", "advertiser_id", "category"},
	tenantCond: "provider_id = ?",
	values: func(s *bawwab.SenderID) []any {
		return []any{s.Value, strings.ToLower(s.Value), s.ProviderID, s.AdvertiserID, int(s.Category)}
	},
	scan: func(sc scanner) (*bawwab.SenderID, error) {
		var s bawwab.SenderID
		var fold string
		return &s, sc.Scan(&s.Value, &fold, &s.ProviderID, &s.AdvertiserID, &s.Category)
	},
	key:  func(s *bawwab.SenderID) string { return s.Value },
	norm: func(*bawwab.SenderID) {},
	check: func(ctx context.Context, tx pgx.Tx, old, s *bawwab.SenderID) error {
		if err := refExists(ctx, tx, "provider_id", "providers", "id", s.ProviderID, "provider"); err != nil {
			return err
		}
		if err := refExists(ctx, tx, "advertiser_id", "advertisers", "id", s.AdvertiserID, "advertiser"); err != nil {
			return err
		}
		if err := actsFor(ctx, tx, "provider_id", s.ProviderID, s.AdvertiserID); err != nil {
			return err
		}
		var other string
		err := tx.QueryRow(ctx, "SELECT value FROM senders WHERE value_fold = $1 AND value <> $2", strings.ToLower(s.Value), s.Value).Scan(&other)
		if err == nil {
			return bawwab.Errorf(bawwab.ECONFLICT, "sender ID %q is taken by %q (sender IDs are unique ignoring case)", s.Value, other)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("look up sender ID: %w", err)
		}
		if old != nil && old.AdvertiserID != s.AdvertiserID {
			if used, err := exists(ctx, tx, "campaigns", "sender_id", s.Value); err != nil {
				return err
			} else if used {
				return bawwab.Errorf(bawwab.ECONFLICT, "sender ID %q is used by campaigns of advertiser %q", s.Value, old.AdvertiserID)
			}
		}
		return nil
	},
}

var channels = &table[bawwab.Channel]{
	kind:       bawwab.KindChannel,
	name:       "channels",
	cols:       []string{"code", "purpose", "scope", "free", "provider_id", "advertiser_id"},
	tenantCond: "(scope = 0 OR provider_id = ? OR advertiser_id IN (" + providersAdvertisers + "))",
	values: func(c *bawwab.Channel) []any {
		return []any{c.Code, int(c.Purpose), int(c.Scope), c.Free, nullString(c.ProviderID), nullString(c.AdvertiserID)}
	},
	scan: func(s scanner) (*bawwab.Channel, error) {
		var c bawwab.Channel
		var p, a *string
		err := s.Scan(&c.Code, &c.Purpose, &c.Scope, &c.Free, &p, &a)
		c.ProviderID, c.AdvertiserID = deref(p), deref(a)
		return &c, err
	},
	key:  func(c *bawwab.Channel) string { return c.Code },
	norm: func(*bawwab.Channel) {},
	check: func(ctx context.Context, tx pgx.Tx, _, c *bawwab.Channel) error {
		if c.ProviderID != "" {
			if err := refExists(ctx, tx, "provider_id", "providers", "id", c.ProviderID, "provider"); err != nil {
				return err
			}
		}
		if c.AdvertiserID != "" {
			if err := refExists(ctx, tx, "advertiser_id", "advertisers", "id", c.AdvertiserID, "advertiser"); err != nil {
				return err
			}
			if c.ProviderID != "" {
				return actsFor(ctx, tx, "provider_id", c.ProviderID, c.AdvertiserID)
			}
		}
		return nil
	},
}

var campaigns = &table[bawwab.Campaign]{
	kind:       bawwab.KindCampaign,
	name:       "campaigns",
	cols:       []string{"id", "advertiser_id", "sender_id", "purpose", "list_source", "basis", "templates"},
	tenantCond: "sender_id IN (SELECT value FROM senders WHERE provider_id = ?)",
	values: func(c *bawwab.Campaign) []any {
		t, _ := json.Marshal(c.Templates)
		return []any{c.ID, c.AdvertiserID, c.SenderID, c.Purpose, c.ListSource, int(c.Basis), json.RawMessage(t)}
	},
	scan: func(s scanner) (*bawwab.Campaign, error) {
		var c bawwab.Campaign
		var t []byte
		if err := s.Scan(&c.ID, &c.AdvertiserID, &c.SenderID, &c.Purpose, &c.ListSource, &c.Basis, &t); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(t, &c.Templates); err != nil {
			return nil, fmt.Errorf("campaign %s templates: %w", c.ID, err)
		}
		if len(c.Templates) == 0 {
			c.Templates = nil
		}
		return &c, nil
	},
	key: func(c *bawwab.Campaign) string { return c.ID },
	norm: func(c *bawwab.Campaign) {
		if len(c.Templates) == 0 {
			c.Templates = nil
		}
	},
	check: func(ctx context.Context, tx pgx.Tx, _, c *bawwab.Campaign) error {
		if err := refExists(ctx, tx, "advertiser_id", "advertisers", "id", c.AdvertiserID, "advertiser"); err != nil {
			return err
		}
		var adv string
		err := tx.QueryRow(ctx, "SELECT advertiser_id FROM senders WHERE value = $1", c.SenderID).Scan(&adv)
		if errors.Is(err, pgx.ErrNoRows) {
			return bawwab.InvalidField("sender_id", "no sender ID %q", c.SenderID)
		}
		if err != nil {
			return fmt.Errorf("look up sender ID: %w", err)
		}
		if adv != c.AdvertiserID {
			return bawwab.InvalidField("sender_id", "sender ID %q belongs to advertiser %q, not %q", c.SenderID, adv, c.AdvertiserID)
		}
		return nil
	},
}

// cond collects the conditions of a filter.
type cond struct {
	conds []string
	args  []any
}

func (c *cond) eq(col string, v any) {
	c.conds = append(c.conds, col+" = ?")
	c.args = append(c.args, v)
}

func eqIf[V any](c *cond, col string, v *V, conv func(V) any) {
	if v != nil {
		c.eq(col, conv(*v))
	}
}

func str(s string) any { return s }

// Operators.

func (s *RegistryService) FindOperatorByID(ctx context.Context, id string) (*bawwab.Operator, error) {
	return operators.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindOperators(ctx context.Context, f bawwab.OperatorFilter) ([]*bawwab.Operator, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	return operators.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateOperator(ctx context.Context, o *bawwab.Operator) error {
	return operators.create(ctx, s.db, o)
}

func (s *RegistryService) UpdateOperator(ctx context.Context, id string, upd bawwab.OperatorUpdate) (*bawwab.Operator, error) {
	return operators.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteOperator(ctx context.Context, id string) error {
	return operators.delete(ctx, s.db, id)
}

// Providers.

func (s *RegistryService) FindProviderByID(ctx context.Context, id string) (*bawwab.Provider, error) {
	return providers.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindProviders(ctx context.Context, f bawwab.ProviderFilter) ([]*bawwab.Provider, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	eqIf(&c, "status", f.Status, func(v bawwab.ProviderStatus) any { return int(v) })
	eqIf(&c, "operator_id", f.OperatorID, str)
	return providers.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateProvider(ctx context.Context, p *bawwab.Provider) error {
	return providers.create(ctx, s.db, p)
}

func (s *RegistryService) UpdateProvider(ctx context.Context, id string, upd bawwab.ProviderUpdate) (*bawwab.Provider, error) {
	return providers.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteProvider(ctx context.Context, id string) error {
	return providers.delete(ctx, s.db, id)
}

// Accounts.

func (s *RegistryService) FindAccountByID(ctx context.Context, id string) (*bawwab.Account, error) {
	return accounts.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindAccounts(ctx context.Context, f bawwab.AccountFilter) ([]*bawwab.Account, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	eqIf(&c, "provider_id", f.ProviderID, str)
	eqIf(&c, "kind", f.Kind, func(v bawwab.AccountKind) any { return int(v) })
	return accounts.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateAccount(ctx context.Context, a *bawwab.Account) error {
	return accounts.create(ctx, s.db, a)
}

func (s *RegistryService) UpdateAccount(ctx context.Context, id string, upd bawwab.AccountUpdate) (*bawwab.Account, error) {
	return accounts.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteAccount(ctx context.Context, id string) error {
	return accounts.delete(ctx, s.db, id)
}

// Contracts.

func (s *RegistryService) FindContractByID(ctx context.Context, id string) (*bawwab.Contract, error) {
	return contracts.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindContracts(ctx context.Context, f bawwab.ContractFilter) ([]*bawwab.Contract, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	eqIf(&c, "provider_id", f.ProviderID, str)
	eqIf(&c, "operator_id", f.OperatorID, str)
	if f.ValidAt != nil {
		t := *f.ValidAt
		c.conds = append(c.conds, "valid_from <= ? AND (valid_to IS NULL OR valid_to > ?)")
		c.args = append(c.args, t, t)
	}
	return contracts.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateContract(ctx context.Context, c *bawwab.Contract) error {
	return contracts.create(ctx, s.db, c)
}

func (s *RegistryService) UpdateContract(ctx context.Context, id string, upd bawwab.ContractUpdate) (*bawwab.Contract, error) {
	return contracts.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteContract(ctx context.Context, id string) error {
	return contracts.delete(ctx, s.db, id)
}

// Advertisers.

func (s *RegistryService) FindAdvertiserByID(ctx context.Context, id string) (*bawwab.Advertiser, error) {
	return advertisers.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindAdvertisers(ctx context.Context, f bawwab.AdvertiserFilter) ([]*bawwab.Advertiser, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	if f.ProviderID != nil {
		c.conds = append(c.conds, "id IN ("+providersAdvertisers+")")
		c.args = append(c.args, *f.ProviderID)
	}
	return advertisers.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateAdvertiser(ctx context.Context, a *bawwab.Advertiser) error {
	return advertisers.create(ctx, s.db, a)
}

func (s *RegistryService) UpdateAdvertiser(ctx context.Context, id string, upd bawwab.AdvertiserUpdate) (*bawwab.Advertiser, error) {
	return advertisers.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteAdvertiser(ctx context.Context, id string) error {
	return advertisers.delete(ctx, s.db, id)
}

// Sender IDs.

func (s *RegistryService) FindSenderIDByValue(ctx context.Context, value string) (*bawwab.SenderID, error) {
	return senders.findByKey(ctx, s.db, value)
}

func (s *RegistryService) FindSenderIDs(ctx context.Context, f bawwab.SenderIDFilter) ([]*bawwab.SenderID, int, error) {
	var c cond
	eqIf(&c, "value", f.Value, str)
	eqIf(&c, "provider_id", f.ProviderID, str)
	eqIf(&c, "advertiser_id", f.AdvertiserID, str)
	eqIf(&c, "category", f.Category, func(v bawwab.Category) any { return int(v) })
	return senders.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateSenderID(ctx context.Context, v *bawwab.SenderID) error {
	return senders.create(ctx, s.db, v)
}

func (s *RegistryService) UpdateSenderID(ctx context.Context, value string, upd bawwab.SenderIDUpdate) (*bawwab.SenderID, error) {
	return senders.update(ctx, s.db, value, upd.Apply)
}

func (s *RegistryService) DeleteSenderID(ctx context.Context, value string) error {
	return senders.delete(ctx, s.db, value)
}

// Channels.

func (s *RegistryService) FindChannelByCode(ctx context.Context, code string) (*bawwab.Channel, error) {
	return channels.findByKey(ctx, s.db, code)
}

func (s *RegistryService) FindChannels(ctx context.Context, f bawwab.ChannelFilter) ([]*bawwab.Channel, int, error) {
	var c cond
	eqIf(&c, "code", f.Code, str)
	eqIf(&c, "purpose", f.Purpose, func(v bawwab.ChannelPurpose) any { return int(v) })
	eqIf(&c, "scope", f.Scope, func(v bawwab.ChannelScope) any { return int(v) })
	eqIf(&c, "provider_id", f.ProviderID, str)
	eqIf(&c, "advertiser_id", f.AdvertiserID, str)
	return channels.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateChannel(ctx context.Context, c *bawwab.Channel) error {
	return channels.create(ctx, s.db, c)
}

func (s *RegistryService) UpdateChannel(ctx context.Context, code string, upd bawwab.ChannelUpdate) (*bawwab.Channel, error) {
	return channels.update(ctx, s.db, code, upd.Apply)
}

func (s *RegistryService) DeleteChannel(ctx context.Context, code string) error {
	return channels.delete(ctx, s.db, code)
}

// Campaigns.

func (s *RegistryService) FindCampaignByID(ctx context.Context, id string) (*bawwab.Campaign, error) {
	return campaigns.findByKey(ctx, s.db, id)
}

func (s *RegistryService) FindCampaigns(ctx context.Context, f bawwab.CampaignFilter) ([]*bawwab.Campaign, int, error) {
	var c cond
	eqIf(&c, "id", f.ID, str)
	eqIf(&c, "advertiser_id", f.AdvertiserID, str)
	eqIf(&c, "sender_id", f.SenderID, str)
	return campaigns.find(ctx, s.db, c.conds, c.args, f.Offset, f.Limit)
}

func (s *RegistryService) CreateCampaign(ctx context.Context, c *bawwab.Campaign) error {
	return campaigns.create(ctx, s.db, c)
}

func (s *RegistryService) UpdateCampaign(ctx context.Context, id string, upd bawwab.CampaignUpdate) (*bawwab.Campaign, error) {
	return campaigns.update(ctx, s.db, id, upd.Apply)
}

func (s *RegistryService) DeleteCampaign(ctx context.Context, id string) error {
	return campaigns.delete(ctx, s.db, id)
}

// Snapshot implements bawwab.RegistryService: one read transaction, so
// that the records and the sequence number agree.
func (s *RegistryService) Snapshot(ctx context.Context) (*bawwab.Registry, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("read the whole registry")
	}
	var r bawwab.Registry
	err := s.db.readTx(ctx, func(tx pgx.Tx) (err error) {
		if err := tx.QueryRow(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&r.Seq); err != nil {
			return fmt.Errorf("read change sequence: %w", err)
		}
		if r.Operators, err = operators.all(ctx, tx); err != nil {
			return err
		}
		if r.Providers, err = providers.all(ctx, tx); err != nil {
			return err
		}
		if r.Accounts, err = accounts.all(ctx, tx); err != nil {
			return err
		}
		if r.Contracts, err = contracts.all(ctx, tx); err != nil {
			return err
		}
		if r.Advertisers, err = advertisers.all(ctx, tx); err != nil {
			return err
		}
		if r.SenderIDs, err = senders.all(ctx, tx); err != nil {
			return err
		}
		if r.Channels, err = channels.all(ctx, tx); err != nil {
			return err
		}
		r.Campaigns, err = campaigns.all(ctx, tx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("registry snapshot: %w", err)
	}
	return &r, nil
}

// ImportRegistry implements bawwab.RegistryService.
func (s *RegistryService) ImportRegistry(ctx context.Context, records iter.Seq2[bawwab.Record, error]) (bawwab.ImportResult, error) {
	var res bawwab.ImportResult
	err := s.db.writeTx(ctx, func(tx pgx.Tx) error {
		for rec, err := range records {
			if err != nil {
				return err
			}
			res.Records++
			seq, err := s.put(ctx, tx, rec)
			if err != nil {
				return &bawwab.ImportError{Record: res.Records, Err: err}
			}
			if seq > 0 {
				res.Changes++
				if res.FirstSeq == 0 {
					res.FirstSeq = seq
				}
				res.LastSeq = seq
			}
		}
		return ctx.Err()
	})
	if err != nil {
		return bawwab.ImportResult{Records: res.Records}, err
	}
	return res, nil
}

func (s *RegistryService) put(ctx context.Context, tx pgx.Tx, rec bawwab.Record) (int64, error) {
	switch r := rec.(type) {
	case *bawwab.Operator:
		return operators.upsert(ctx, s.db, tx, r)
	case *bawwab.Provider:
		return providers.upsert(ctx, s.db, tx, r)
	case *bawwab.Account:
		return accounts.upsert(ctx, s.db, tx, r)
	case *bawwab.Contract:
		return contracts.upsert(ctx, s.db, tx, r)
	case *bawwab.Advertiser:
		return advertisers.upsert(ctx, s.db, tx, r)
	case *bawwab.SenderID:
		return senders.upsert(ctx, s.db, tx, r)
	case *bawwab.Channel:
		return channels.upsert(ctx, s.db, tx, r)
	case *bawwab.Campaign:
		return campaigns.upsert(ctx, s.db, tx, r)
	}
	return 0, bawwab.Errorf(bawwab.EINVALID, "%T is not a registry record", rec)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
