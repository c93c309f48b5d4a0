package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
)

// UserService keeps the console's users and sessions on SQLite.
type UserService struct {
	db *DB
}

var _ bawwab.UserService = (*UserService)(nil)

// NewUserService returns the users of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

const userCols = "name, role, provider_id, operator_id, password_hash, disabled, created_at, updated_at"

func scanUser(sc interface{ Scan(...any) error }) (*bawwab.User, error) {
	var u bawwab.User
	var role int
	var disabled bool
	var created, updated int64
	if err := sc.Scan(&u.Name, &role, &u.ProviderID, &u.OperatorID, &u.PasswordHash, &disabled, &created, &updated); err != nil {
		return nil, err
	}
	u.Role, u.Disabled = bawwab.Role(role), disabled
	u.CreatedAt, u.UpdatedAt = time.UnixMicro(created).UTC(), time.UnixMicro(updated).UTC()
	return &u, nil
}

func userNotFound(name string) error {
	return bawwab.Errorf(bawwab.ENOTFOUND, "user %q not found", name)
}

// FindUserByName implements bawwab.UserService.
func (s *UserService) FindUserByName(ctx context.Context, name string) (*bawwab.User, error) {
	u, err := scanUser(s.db.read.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE name = ?", name))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, userNotFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if p, ok := tenant(ctx); ok && u.ProviderID != p {
		return nil, userNotFound(name)
	}
	return u, nil
}

// FindUsers implements bawwab.UserService.
func (s *UserService) FindUsers(ctx context.Context, f bawwab.UserFilter) ([]*bawwab.User, int, error) {
	var conds []string
	var args []any
	add := func(cond string, v any) { conds, args = append(conds, cond), append(args, v) }
	if f.Name != nil {
		add("name = ?", *f.Name)
	}
	if f.Role != nil {
		add("role = ?", int(*f.Role))
	}
	if f.ProviderID != nil {
		add("provider_id = ?", *f.ProviderID)
	}
	if f.OperatorID != nil {
		add("operator_id = ?", *f.OperatorID)
	}
	if p, ok := tenant(ctx); ok {
		add("provider_id = ?", p)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	var total int
	if err := s.db.read.QueryRowContext(ctx, "SELECT count(*) FROM users"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	q := "SELECT " + userCols + " FROM users" + where + " ORDER BY name"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", f.Limit, max(f.Offset, 0))
	} else if f.Offset > 0 {
		q += fmt.Sprintf(" LIMIT -1 OFFSET %d", f.Offset)
	}
	rows, err := s.db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []*bawwab.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("find users: %w", err)
		}
		out = append(out, u)
	}
	return out, total, rows.Err()
}

// CreateUser implements bawwab.UserService.
func (s *UserService) CreateUser(ctx context.Context, u *bawwab.User) error {
	if _, ok := tenant(ctx); ok {
		return forbidden("create users")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	now := s.db.Now().UTC().Truncate(time.Microsecond)
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		if u.ProviderID != "" {
			if ok, err := exists(ctx, tx, "providers", "id", u.ProviderID); err != nil {
				return err
			} else if !ok {
				return bawwab.InvalidField("provider_id", "no provider %q", u.ProviderID)
			}
		}
		if u.OperatorID != "" {
			if ok, err := exists(ctx, tx, "operators", "id", u.OperatorID); err != nil {
				return err
			} else if !ok {
				return bawwab.InvalidField("operator_id", "no operator %q", u.OperatorID)
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO users ("+userCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			u.Name, int(u.Role), u.ProviderID, u.OperatorID, u.PasswordHash, u.Disabled, now.UnixMicro(), now.UnixMicro())
		if isUniqueViolation(err) {
			return bawwab.Errorf(bawwab.ECONFLICT, "user %q exists", u.Name)
		}
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		u.CreatedAt, u.UpdatedAt = now, now
		return nil
	})
}

// UpdateUser implements bawwab.UserService.
func (s *UserService) UpdateUser(ctx context.Context, name string, upd bawwab.UserUpdate) (*bawwab.User, error) {
	if _, ok := tenant(ctx); ok {
		return nil, forbidden("change users")
	}
	if upd.PasswordHash != nil && *upd.PasswordHash == "" {
		return nil, bawwab.InvalidField("password", "missing")
	}
	now := s.db.Now().UTC().Truncate(time.Microsecond)
	var out *bawwab.User
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE name = ?", name))
		if errors.Is(err, sql.ErrNoRows) {
			return userNotFound(name)
		}
		if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if upd.PasswordHash != nil {
			u.PasswordHash = *upd.PasswordHash
		}
		if upd.Disabled != nil {
			u.Disabled = *upd.Disabled
		}
		u.UpdatedAt = now
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash = ?, disabled = ?, updated_at = ? WHERE name = ?",
			u.PasswordHash, u.Disabled, now.UnixMicro(), name); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		out = u
		return nil
	})
	return out, err
}

// CreateSession implements bawwab.UserService.
func (s *UserService) CreateSession(ctx context.Context, se *bawwab.Session) error {
	if se.ID == "" || se.UserName == "" || se.CSRFToken == "" || se.ExpiresAt.IsZero() {
		return bawwab.Errorf(bawwab.EINVALID, "incomplete session")
	}
	if se.CreatedAt.IsZero() {
		se.CreatedAt = s.db.Now().UTC()
	}
	se.CreatedAt, se.ExpiresAt = se.CreatedAt.UTC().Truncate(time.Microsecond), se.ExpiresAt.UTC().Truncate(time.Microsecond)
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO sessions (id, user_name, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			se.ID, se.UserName, se.CSRFToken, se.CreatedAt.UnixMicro(), se.ExpiresAt.UnixMicro())
		switch {
		case isUniqueViolation(err):
			return bawwab.Errorf(bawwab.ECONFLICT, "session exists")
		case isForeignKeyViolation(err):
			return bawwab.InvalidField("user", "no user %q", se.UserName)
		case err != nil:
			return fmt.Errorf("create session: %w", err)
		}
		// Sweep the expired sessions, a few at a time.
		_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= ? LIMIT 100)", se.CreatedAt.UnixMicro())
		return err
	})
}

// FindSession implements bawwab.UserService.
func (s *UserService) FindSession(ctx context.Context, id string, now time.Time) (*bawwab.Session, error) {
	var se bawwab.Session
	var created, expires int64
	err := s.db.read.QueryRowContext(ctx, "SELECT id, user_name, csrf_token, created_at, expires_at FROM sessions WHERE id = ? AND expires_at > ?",
		id, now.UnixMicro()).Scan(&se.ID, &se.UserName, &se.CSRFToken, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = time.UnixMicro(created).UTC(), time.UnixMicro(expires).UTC()
	return &se, nil
}

// DeleteSession implements bawwab.UserService.
func (s *UserService) DeleteSession(ctx context.Context, id string) error {
	return s.db.writeTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE id = ?", id)
		return err
	})
}

// DeleteUserSessions implements bawwab.UserService.
func (s *UserService) DeleteUserSessions(ctx context.Context, name string) (int64, error) {
	var n int64
	err := s.db.writeTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE user_name = ?", name)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
