package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/registrycsv"
)

// registryKind is how the console and the API list, read and delete the
// records of one kind.
type registryKind struct {
	kind bawwab.RecordKind
	list func(ctx context.Context, reg bawwab.RegistryService, offset, limit int) ([]bawwab.Record, int, error)
	get  func(ctx context.Context, reg bawwab.RegistryService, key string) (bawwab.Record, error)
	del  func(ctx context.Context, reg bawwab.RegistryService, key string) error
}

func recs[T bawwab.Record](rs []T, n int, err error) ([]bawwab.Record, int, error) {
	out := make([]bawwab.Record, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out, n, err
}

func rec[T bawwab.Record](r T, err error) (bawwab.Record, error) {
	if err != nil {
		return nil, err
	}
	return r, nil
}

var registryKinds = []registryKind{
	{bawwab.KindOperator,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindOperators(ctx, bawwab.OperatorFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindOperatorByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteOperator(ctx, k)
		}},
	{bawwab.KindProvider,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindProviders(ctx, bawwab.ProviderFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindProviderByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteProvider(ctx, k)
		}},
	{bawwab.KindAccount,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindAccounts(ctx, bawwab.AccountFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindAccountByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteAccount(ctx, k)
		}},
	{bawwab.KindContract,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindContracts(ctx, bawwab.ContractFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindContractByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteContract(ctx, k)
		}},
	{bawwab.KindAdvertiser,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindAdvertisers(ctx, bawwab.AdvertiserFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindAdvertiserByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteAdvertiser(ctx, k)
		}},
	{bawwab.KindSenderID,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindSenderIDs(ctx, bawwab.SenderIDFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindSenderIDByValue(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteSenderID(ctx, k)
		}},
	{bawwab.KindChannel,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindChannels(ctx, bawwab.ChannelFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindChannelByCode(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteChannel(ctx, k)
		}},
	{bawwab.KindCampaign,
		func(ctx context.Context, reg bawwab.RegistryService, o, l int) ([]bawwab.Record, int, error) {
			return recs(reg.FindCampaigns(ctx, bawwab.CampaignFilter{Offset: o, Limit: l}))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) (bawwab.Record, error) {
			return rec(reg.FindCampaignByID(ctx, k))
		},
		func(ctx context.Context, reg bawwab.RegistryService, k string) error {
			return reg.DeleteCampaign(ctx, k)
		}},
}

func lookupKind(name string) (*registryKind, error) {
	for i := range registryKinds {
		if string(registryKinds[i].kind) == name {
			return &registryKinds[i], nil
		}
	}
	return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no registry kind %q (want operator, provider, account, contract, advertiser, sender, channel or campaign)", name)
}

// redact hides what a record must not show: an account's secret hash.
func redact(r bawwab.Record) any {
	if a, ok := r.(*bawwab.Account); ok {
		return viewAccount(a)
	}
	return r
}

type kindCount struct {
	Kind  bawwab.RecordKind `json:"kind"`
	Total int               `json:"total"`
}

func (s *Server) kindCounts(ctx context.Context) ([]kindCount, error) {
	var out []kindCount
	for _, k := range registryKinds {
		_, n, err := k.list(ctx, s.o.Store.Registry, 0, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, kindCount{k.kind, n})
	}
	return out, nil
}

func (s *Server) apiRegistryKinds(w http.ResponseWriter, r *http.Request, p *principal) error {
	out, err := s.kindCounts(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiRegistryList(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("format") {
	case "csv":
		return s.exportCSV(w, r, k)
	case "", "json":
	default:
		return bawwab.InvalidField("format", "want json or csv")
	}
	off, lim, err := paging(r)
	if err != nil {
		return err
	}
	rs, n, err := k.list(r.Context(), s.o.Store.Registry, off, lim)
	if err != nil {
		return err
	}
	out := make([]any, len(rs))
	for i, x := range rs {
		out[i] = redact(x)
	}
	writeJSON(w, http.StatusOK, list(out, n))
	return nil
}

func (s *Server) apiRegistryGet(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	x, err := k.get(r.Context(), s.o.Store.Registry, r.PathValue("key"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, redact(x))
	return nil
}

// putRecord creates or replaces one record and records the change.
func (s *Server) putRecord(ctx context.Context, p *principal, x bawwab.Record) error {
	if err := s.needAudit(); err != nil {
		return err
	}
	if err := x.Validate(); err != nil {
		return err
	}
	res, err := s.o.Store.Registry.ImportRegistry(ctx, func(yield func(bawwab.Record, error) bool) { yield(x, nil) })
	if err != nil {
		return err
	}
	if res.Changes == 0 {
		return nil
	}
	b, _ := json.Marshal(redact(x))
	return s.audit(ctx, p, "update", string(x.RecordKind())+":"+x.Key(), string(b))
}

func (s *Server) apiRegistryPut(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	x, _ := bawwab.NewRecord(k.kind)
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, x); err != nil {
		return bawwab.Errorf(bawwab.EINVALID, "bad JSON body: %v", err)
	}
	if x.Key() != r.PathValue("key") {
		return bawwab.InvalidField("id", "the record's key %q is not the URL's %q", x.Key(), r.PathValue("key"))
	}
	if err := s.putRecord(r.Context(), p, x); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, redact(x))
	return nil
}

func (s *Server) deleteRecord(ctx context.Context, p *principal, k *registryKind, key string) error {
	if err := s.needAudit(); err != nil {
		return err
	}
	if err := k.del(ctx, s.o.Store.Registry, key); err != nil {
		return err
	}
	return s.audit(ctx, p, "delete", string(k.kind)+":"+key, "")
}

func (s *Server) apiRegistryDelete(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	if err := s.deleteRecord(r.Context(), p, k, r.PathValue("key")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// exportCSV writes every record of a kind as CSV, in the format of
// bawwab registry import.
func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, k *registryKind) error {
	ck := registrycsv.Lookup(string(k.kind))
	var buf bytes.Buffer
	if _, err := registrycsv.Export(r.Context(), s.o.Store.Registry, ck, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.csv"`, ck.Name))
	_, err := w.Write(buf.Bytes())
	return err
}

// importCSV imports a CSV file of one kind and records the import in the
// ledger.
func (s *Server) importCSV(ctx context.Context, p *principal, k *registryKind, in io.Reader) (bawwab.ImportResult, error) {
	if err := s.needAudit(); err != nil {
		return bawwab.ImportResult{}, err
	}
	ck := registrycsv.Lookup(string(k.kind))
	res, err := registrycsv.Import(ctx, s.o.Store.Registry, []registrycsv.File{{Kind: ck, R: in}}, nil)
	var rej *registrycsv.RejectedError
	if errors.As(err, &rej) {
		return res, bawwab.Errorf(bawwab.EINVALID, "%s", rej.Error())
	}
	if err != nil {
		return res, err
	}
	if res.Changes > 0 {
		err = s.audit(ctx, p, "import", "registry:"+ck.Name, fmt.Sprintf("%d records read, %d changes (sequence %d to %d)", res.Records, res.Changes, res.FirstSeq, res.LastSeq))
	}
	return res, err
}

func (s *Server) apiRegistryImport(w http.ResponseWriter, r *http.Request, p *principal) error {
	k, err := lookupKind(r.PathValue("kind"))
	if err != nil {
		return err
	}
	res, err := s.importCSV(r.Context(), p, k, http.MaxBytesReader(w, r.Body, 64<<20))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"records": res.Records, "changes": res.Changes})
	return nil
}
