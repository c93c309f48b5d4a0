package bawwab

import (
	"context"
	"time"
)

// The console's people: regulators, operators' staff and providers' users
// log in to the web console and the API with a name and a password. Each
// user has one role, which decides what it sees (Role): a provider's user
// only its provider's data, an operator's user its network, a regulator
// everything. Passwords are kept only as hashes (internal/secret), and
// sessions only as hashes of their tokens, so that a copy of the store
// lets nobody log in.

// User is a console account.
type User struct {
	// Name is what the person logs in with: 1 to 64 of a-z 0-9 . _ -.
	Name string `json:"name"`
	// Role is RoleRegulator, RoleOperator or RoleProvider.
	Role Role `json:"role"`
	// ProviderID is the provider a provider's user belongs to;
	// OperatorID the operator an operator's user belongs to.
	ProviderID string `json:"provider_id,omitempty"`
	OperatorID string `json:"operator_id,omitempty"`
	// PasswordHash is the PHC string of the password (internal/secret).
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Actor returns the actor the user acts as, as the ledger records it.
func (u *User) Actor() Actor { return Actor{Name: u.Name, Role: u.Role} }

// Validate checks a user record.
func (u *User) Validate() error {
	if err := checkKey("name", u.Name); err != nil {
		return err
	}
	switch u.Role {
	case RoleRegulator:
		if u.ProviderID != "" || u.OperatorID != "" {
			return InvalidField("provider_id", "a regulator belongs to no provider or operator")
		}
	case RoleOperator:
		if err := checkKey("operator_id", u.OperatorID); err != nil {
			return err
		}
		if u.ProviderID != "" {
			return InvalidField("provider_id", "an operator's user belongs to no provider")
		}
	case RoleProvider:
		if err := checkKey("provider_id", u.ProviderID); err != nil {
			return err
		}
		if u.OperatorID != "" {
			return InvalidField("operator_id", "a provider's user belongs to no operator")
		}
	default:
		return InvalidField("role", "%s cannot log in (want regulator, operator or provider)", u.Role)
	}
	if u.PasswordHash == "" {
		return InvalidField("password", "missing")
	}
	return nil
}

// UserUpdate changes a user; nil fields stay.
type UserUpdate struct {
	PasswordHash *string
	Disabled     *bool
}

// UserFilter selects users, sorted by name.
type UserFilter struct {
	Name          *string
	Role          *Role
	ProviderID    *string
	OperatorID    *string
	Offset, Limit int
}

// Session is a logged-in user's session. The token the browser holds is
// never stored: ID is the hex SHA-256 of it.
type Session struct {
	ID        string    `json:"-"`
	UserName  string    `json:"user"`
	CSRFToken string    `json:"-"` // the token forms and API writes must echo
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// UserService keeps console users and their sessions. In a provider's
// context, only the provider's own users are visible, and creating or
// changing users is EFORBIDDEN.
type UserService interface {
	FindUserByName(ctx context.Context, name string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, int, error)
	// CreateUser refuses an existing name (ECONFLICT) and a provider or
	// operator that does not exist (EINVALID); it sets CreatedAt and
	// UpdatedAt.
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, name string, upd UserUpdate) (*User, error)

	// CreateSession records a session (ECONFLICT for an existing ID).
	CreateSession(ctx context.Context, s *Session) error
	// FindSession returns a session that has not expired at now, or
	// ENOTFOUND.
	FindSession(ctx context.Context, id string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of a user (a password change,
	// a disabled account) and returns how many.
	DeleteUserSessions(ctx context.Context, name string) (int64, error)
}
