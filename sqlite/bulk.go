package sqlite

import (
	"context"
	"database/sql"
	"strings"
)

// bulkRows is how many rows one INSERT of insertRows carries: a statement
// per row costs more than the row itself (database/sql, the driver's
// binding and a VM run), so bulk writes on the gateway's path (the
// delivery index, the receipts' routes) go some hundred rows at a time.
const bulkRows = 128

// rowContext returns ctx without its cancellation, for the statements of
// one row of a bulk write, which the caller makes check ctx every
// cancelCheck rows: the driver watches a cancellable context with a
// goroutine per statement, which cost more than the row's insert.
func rowContext(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

// cancelCheck is how many rows of a bulk write go between looks at its
// context.
const cancelCheck = 512

// insertRows inserts n rows of cols values each with statements
// "head VALUES (?, ...), (?, ...) tail", bulkRows rows at a time. args
// appends the values of row i to dst.
func insertRows(ctx context.Context, tx *sql.Tx, head, tail string, cols, n int, args func(dst []any, i int) []any) error {
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	vals := make([]any, 0, cols*min(n, bulkRows))
	rctx := rowContext(ctx)
	for i := 0; i < n; i += bulkRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		k := min(bulkRows, n-i)
		vals = vals[:0]
		for j := i; j < i+k; j++ {
			vals = args(vals, j)
		}
		if k == bulkRows {
			if full == nil {
				st, err := tx.PrepareContext(ctx, valuesSQL(head, tail, cols, k))
				if err != nil {
					return err
				}
				full = st
			}
			if _, err := full.ExecContext(rctx, vals...); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(rctx, valuesSQL(head, tail, cols, k), vals...); err != nil {
			return err
		}
	}
	return nil
}

// valuesSQL returns "head VALUES (?, ?), (?, ?) tail" for rows rows of
// cols columns.
func valuesSQL(head, tail string, cols, rows int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	var b strings.Builder
	b.Grow(len(head) + len(tail) + rows*(len(row)+2) + 8)
	b.WriteString(head)
	b.WriteString(" VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	if tail != "" {
		b.WriteString(" ")
		b.WriteString(tail)
	}
	return b.String()
}
