package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bawwab/bawwab"
)

// ChangeService is the change feed of a SQLite store.
type ChangeService struct {
	db *DB
}

var _ bawwab.ChangeService = (*ChangeService)(nil)

// NewChangeService returns the change feed of db.
func NewChangeService(db *DB) *ChangeService { return &ChangeService{db: db} }

// LastSeq implements bawwab.ChangeService.
func (s *ChangeService) LastSeq(ctx context.Context) (int64, error) {
	if _, ok := tenant(ctx); ok {
		return 0, forbidden("read the change feed")
	}
	var last int64
	if err := s.db.read.QueryRowContext(ctx, "SELECT last FROM seq WHERE id = 1").Scan(&last); err != nil {
		return 0, fmt.Errorf("read change sequence: %w", err)
	}
	return last, nil
}

// Changes implements bawwab.ChangeService. The sequence is dense, so the
// changes after afterSeq are exactly those numbered afterSeq+1 to
// afterSeq+limit, spread over four tables; one read transaction makes the
// four reads agree.
func (s *ChangeService) Changes(ctx context.Context, afterSeq int64, limit int) ([]bawwab.Change, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("read the change feed")
	}
	if limit <= 0 || limit > bawwab.MaxChanges {
		limit = bawwab.MaxChanges
	}
	lo, hi := afterSeq, afterSeq+int64(limit)
	var out []bawwab.Change
	err := s.db.readTx(ctx, func(tx *sql.Tx) error {
		each := func(query string, fn func(scanner) (bawwab.Change, error)) error {
			rows, err := tx.QueryContext(ctx, query, lo, hi)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				c, err := fn(rows)
				if err != nil {
					return err
				}
				out = append(out, c)
			}
			return rows.Err()
		}
		err := each("SELECT seq, kind, op, key, data, at FROM changes WHERE seq > ? AND seq <= ?", func(sc scanner) (bawwab.Change, error) {
			var c bawwab.Change
			var data sql.NullString
			var at int64
			if err := sc.Scan(&c.Seq, &c.Kind, &c.Op, &c.Key, &data, &at); err != nil {
				return c, err
			}
			c.At = time64(at)
			if data.Valid {
				r, err := bawwab.NewRecord(c.Kind)
				if err != nil {
					return c, err
				}
				if err := json.Unmarshal([]byte(data.String), r); err != nil {
					return c, fmt.Errorf("decode change %d: %w", c.Seq, err)
				}
				c.Record = r
			}
			return c, nil
		})
		if err != nil {
			return err
		}
		err = each("SELECT "+oppositionCols+" FROM oppositions WHERE seq > ? AND seq <= ?", func(sc scanner) (bawwab.Change, error) {
			o := new(bawwab.Opposition)
			err := scanOpposition(sc, o)
			return eventChange(bawwab.KindOpposition, o.Seq, o.At, o), err
		})
		if err != nil {
			return err
		}
		err = each("SELECT "+consentCols+" FROM consents c WHERE c.seq > ? AND c.seq <= ?", func(sc scanner) (bawwab.Change, error) {
			c, err := scanConsent(sc)
			if err != nil {
				return bawwab.Change{}, err
			}
			c.Lapsed = false // a state, not part of the event
			return eventChange(bawwab.KindConsent, c.Seq, c.At, c), nil
		})
		if err != nil {
			return err
		}
		return each("SELECT "+numberEventCols+" FROM number_events WHERE seq > ? AND seq <= ?", func(sc scanner) (bawwab.Change, error) {
			e, err := scanNumberEvent(sc)
			if err != nil {
				return bawwab.Change{}, err
			}
			return eventChange(bawwab.KindNumberEvent, e.Seq, e.At, e), nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read changes: %w", err)
	}
	slices.SortFunc(out, func(a, b bawwab.Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

func eventChange(kind bawwab.RecordKind, seq int64, at time.Time, r bawwab.Record) bawwab.Change {
	return bawwab.Change{Seq: seq, Kind: kind, Op: bawwab.ChangePut, Key: strconv.FormatInt(seq, 10), Record: r, At: at}
}

func time64(micros int64) time.Time { return time.UnixMicro(micros).UTC() }
