package web

import (
	"crypto/rand"
	"time"

	"github.com/bawwab/bawwab/internal/secret"
)

// Tests hash passwords with cheap parameters.
func init() {
	hashPassword = func(s string) (string, error) {
		return secret.HashWith(secret.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, rand.Reader, s)
	}
	dummyHash, _ = hashPassword("bawwab-no-such-user")
}

// Routes returns the method and path of every API route registered.
func (s *Server) Routes() [][2]string {
	var out [][2]string
	for _, rt := range s.routes {
		out = append(out, [2]string{rt.method, rt.path})
	}
	return out
}

// SetSleep replaces the wait of a slowed login.
func (s *Server) SetSleep(f func(time.Duration)) { s.sleepHook = f }
