package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/jackc/pgx/v5"
)

// UserService keeps the console's users and sessions on PostgreSQL.
// Users and sessions are not registry records: they take no change
// sequence number, and their writes do not lock the change sequence.
type UserService struct {
	db *DB
}

var _ bawwab.UserService = (*UserService)(nil)

// NewUserService returns the users of db.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

const userCols = "name, role, provider_id, operator_id, password_hash, disabled, created_at, updated_at"

func scanUser(sc interface{ Scan(...any) error }) (*bawwab.User, error) {
	var u bawwab.User
	var role int16
	if err := sc.Scan(&u.Name, &role, &u.ProviderID, &u.OperatorID, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &u.UpdatedAt); err != nil {
		return nil, err
	}
	u.Role = bawwab.Role(role)
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u, nil
}

func userNotFound(name string) error {
	return bawwab.Errorf(bawwab.ENOTFOUND, "user %q not found", name)
}

// FindUserByName implements bawwab.UserService.
func (s *UserService) FindUserByName(ctx context.Context, name string) (*bawwab.User, error) {
	u, err := scanUser(s.db.pool.QueryRow(ctx, "SELECT "+userCols+" FROM users WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
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
		add("role = ?", int16(*f.Role))
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
	if err := s.db.pool.QueryRow(ctx, rebind("SELECT count(*) FROM users"+where), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	q := "SELECT " + userCols + " FROM users" + where + " ORDER BY name"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	if f.Offset > 0 {
		q += fmt.Sprintf(" OFFSET %d", f.Offset)
	}
	rows, err := s.db.pool.Query(ctx, rebind(q), args...)
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
	if u.ProviderID != "" {
		if ok, err := exists(ctx, s.db.pool, "providers", "id", u.ProviderID); err != nil {
			return err
		} else if !ok {
			return bawwab.InvalidField("provider_id", "no provider %q", u.ProviderID)
		}
	}
	if u.OperatorID != "" {
		if ok, err := exists(ctx, s.db.pool, "operators", "id", u.OperatorID); err != nil {
			return err
		} else if !ok {
			return bawwab.InvalidField("operator_id", "no operator %q", u.OperatorID)
		}
	}
	now := s.db.Now().UTC().Truncate(time.Microsecond)
	_, err := s.db.pool.Exec(ctx, "INSERT INTO users ("+userCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		u.Name, int16(u.Role), u.ProviderID, u.OperatorID, u.PasswordHash, u.Disabled, now, now)
	if isUniqueViolation(err) {
		return bawwab.Errorf(bawwab.ECONFLICT, "user %q exists", u.Name)
	}
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	u.CreatedAt, u.UpdatedAt = now, now
	return nil
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
	var pw any
	if upd.PasswordHash != nil {
		pw = *upd.PasswordHash
	}
	var dis any
	if upd.Disabled != nil {
		dis = *upd.Disabled
	}
	u, err := scanUser(s.db.pool.QueryRow(ctx, "UPDATE users SET password_hash = COALESCE($1, password_hash), disabled = COALESCE($2, disabled), updated_at = $3 WHERE name = $4 RETURNING "+userCols,
		pw, dis, now, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, userNotFound(name)
	}
	if err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	return u, nil
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
	_, err := s.db.pool.Exec(ctx, "INSERT INTO sessions (id, user_name, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
		se.ID, se.UserName, se.CSRFToken, se.CreatedAt, se.ExpiresAt)
	switch {
	case isUniqueViolation(err):
		return bawwab.Errorf(bawwab.ECONFLICT, "session exists")
	case isForeignKeyViolation(err):
		return bawwab.InvalidField("user", "no user %q", se.UserName)
	case err != nil:
		return fmt.Errorf("create session: %w", err)
	}
	_, err = s.db.pool.Exec(ctx, "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= $1 LIMIT 100)", se.CreatedAt)
	return err
}

// FindSession implements bawwab.UserService.
func (s *UserService) FindSession(ctx context.Context, id string, now time.Time) (*bawwab.Session, error) {
	var se bawwab.Session
	err := s.db.pool.QueryRow(ctx, "SELECT id, user_name, csrf_token, created_at, expires_at FROM sessions WHERE id = $1 AND expires_at > $2",
		id, now.UTC()).Scan(&se.ID, &se.UserName, &se.CSRFToken, &se.CreatedAt, &se.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, bawwab.Errorf(bawwab.ENOTFOUND, "no such session")
	}
	if err != nil {
		return nil, fmt.Errorf("find session: %w", err)
	}
	se.CreatedAt, se.ExpiresAt = se.CreatedAt.UTC(), se.ExpiresAt.UTC()
	return &se, nil
}

// DeleteSession implements bawwab.UserService.
func (s *UserService) DeleteSession(ctx context.Context, id string) error {
	_, err := s.db.pool.Exec(ctx, "DELETE FROM sessions WHERE id = $1", id)
	return err
}

// DeleteUserSessions implements bawwab.UserService.
func (s *UserService) DeleteUserSessions(ctx context.Context, name string) (int64, error) {
	tag, err := s.db.pool.Exec(ctx, "DELETE FROM sessions WHERE user_name = $1", name)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
