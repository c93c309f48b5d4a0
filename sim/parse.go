package sim

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/bawwab/bawwab"
)

// Limits of SMPP 3.4 (bind PDUs): system_id is a C-Octet String of at most
// 16 octets and password of at most 9, NUL included.
const (
	maxSystemID = 15
	maxPassword = 8
)

// ParseAccounts reads accounts written "id:password[,id:password...]" (the
// -accounts flag). Spaces around items are ignored; the password may be
// empty but not the id.
func ParseAccounts(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if err := addAccount(out, item); err != nil {
			return nil, bawwab.Errorf(bawwab.EINVALID, "account %d: %s", i+1, err.Message)
		}
	}
	if len(out) == 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "no account in %q", s)
	}
	return out, nil
}

// ReadAccounts reads accounts from r, one "id:password" a line; blank lines
// and lines starting with # are skipped. Errors name the line.
func ReadAccounts(r io.Reader) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		item := strings.TrimSpace(sc.Text())
		if item == "" || strings.HasPrefix(item, "#") {
			continue
		}
		if err := addAccount(out, item); err != nil {
			return nil, bawwab.Errorf(bawwab.EINVALID, "line %d: %s", line, err.Message)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	if len(out) == 0 {
		return nil, bawwab.Errorf(bawwab.EINVALID, "no account in the file")
	}
	return out, nil
}

func addAccount(out map[string]string, item string) *bawwab.Error {
	id, pw, ok := strings.Cut(item, ":")
	id = strings.TrimSpace(id)
	switch {
	case !ok:
		return bawwab.Errorf(bawwab.EINVALID, "%q is not id:password", item)
	case id == "":
		return bawwab.Errorf(bawwab.EINVALID, "empty system_id")
	case len(id) > maxSystemID:
		return bawwab.Errorf(bawwab.EINVALID, "system_id %q longer than %d characters", id, maxSystemID)
	case len(pw) > maxPassword:
		return bawwab.Errorf(bawwab.EINVALID, "password of %q longer than %d characters", id, maxPassword)
	case strings.ContainsRune(item, 0):
		return bawwab.Errorf(bawwab.EINVALID, "NUL in account %q", id)
	}
	if _, dup := out[id]; dup {
		return bawwab.Errorf(bawwab.EINVALID, "system_id %q given twice", id)
	}
	out[id] = pw
	return nil
}

// MO is a mobile-originated message: a subscriber (From) writes to a short
// code or a sender (To).
type MO struct {
	From string `json:"from"`
	To   string `json:"to"`
	Text string `json:"text"`
}

func (m MO) check() *bawwab.Error {
	switch {
	case m.From == "":
		return bawwab.Errorf(bawwab.EINVALID, "no sender (from)")
	case m.To == "":
		return bawwab.Errorf(bawwab.EINVALID, "no recipient (to)")
	case m.Text == "":
		return bawwab.Errorf(bawwab.EINVALID, "no text")
	case len(m.From) > 20 || len(m.To) > 20:
		return bawwab.Errorf(bawwab.EINVALID, "address longer than 20 characters")
	case strings.ContainsRune(m.From, 0) || strings.ContainsRune(m.To, 0):
		return bawwab.Errorf(bawwab.EINVALID, "NUL in an address")
	}
	return nil
}

// ReadMOs reads MO messages from r, one "from,to,text" a line: the text is
// everything after the second comma, commas included. Blank lines and
// lines starting with # are skipped; errors name the line.
func ReadMOs(r io.Reader) ([]MO, error) {
	var out []MO
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" || strings.HasPrefix(strings.TrimSpace(s), "#") {
			continue
		}
		parts := strings.SplitN(s, ",", 3)
		if len(parts) < 3 {
			return nil, bawwab.Errorf(bawwab.EINVALID, "line %d: want from,to,text", line)
		}
		m := MO{From: strings.TrimSpace(parts[0]), To: strings.TrimSpace(parts[1]), Text: parts[2]}
		if err := m.check(); err != nil {
			return nil, bawwab.Errorf(bawwab.EINVALID, "line %d: %s", line, err.Message)
		}
		out = append(out, m)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read MO file: %w", err)
	}
	return out, nil
}
