package complaint

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/bawwab/bawwab/textcheck"
)

// Forwarded is a report's text read apart: what a phone or a person added
// when forwarding ("Fwd:", "TR:", "De: ATLASMKT", "Message transféré",
// "رسالة محولة", a date line) and the message itself.
type Forwarded struct {
	// Sender is the sender named in a header line ("De: ATLASMKT",
	// "From: Dar Lbahja", "من: SOUKNOUR"), "" when there is none.
	Sender string
	// Body is the text without the forward markers and header lines.
	Body string
}

// The markers and labels, written as people write them and compared in
// textcheck's normalised form (case, accents and Arabic variants folded).
var (
	forwardMarkers = []string{
		"---------- Forwarded message ----------", "-------- Message transféré --------",
		"Forwarded message", "Message transféré", "Message transfere", "Transféré", "Transfert",
		"Fwd", "Fw", "TR", "Réf", "رسالة محولة", "رسالة معاد توجيهها", "إعادة توجيه", "تم التحويل", "محول", "محولة",
	}
	senderLabels = []string{"De", "From", "Expéditeur", "Exp", "Sender", "Envoyé par", "Émetteur", "من", "المرسل", "مرسل", "المرسِل"}
	dropLabels   = []string{"Date", "Envoyé", "Sent", "Objet", "Subject", "À", "A", "To", "Le", "التاريخ", "إلى"}
	normOnce     sync.Once
	normMarkers  []string
	normSenders  []string
	normDrops    []string
)

func normalizeAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = textcheck.Normalize(s)
	}
	return out
}

// ParseForward reads a forwarded or pasted report: it strips the forward
// markers at its start, takes the sender from a header line, drops the
// other header lines (date, subject, recipient) and returns the rest as the
// body. Text it does not recognise is left in the body: a comment added by
// the subscriber costs the match little (see Similarity).
func ParseForward(text string) Forwarded {
	normOnce.Do(func() {
		normMarkers = normalizeAll(forwardMarkers)
		normSenders = normalizeAll(senderLabels)
		normDrops = normalizeAll(dropLabels)
	})
	var f Forwarded
	var t textcheck.Text
	rest := text
	for guard := 0; guard < 32 && rest != ""; guard++ {
		line, after, nl := strings.Cut(rest, "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			if !nl {
				rest = ""
				break
			}
			rest = after
			continue
		}
		t.Reset(trimmed)
		norm := string(t.Bytes())
		// A forward marker, alone or before the rest of the line.
		if p := matchMarker(norm, normMarkers, true); p > 0 {
			_, end := t.Span(0, p)
			// Slice rest rather than rebuild it, so the body stays a part of
			// the text (the line's trailing spaces go with the final trim).
			lead := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
			tail := trimmed[end:]
			rest = rest[lead+end+len(tail)-len(strings.TrimLeft(tail, " \t:-—–>")):]
			continue
		}
		// A sender line.
		if p := matchMarker(norm, normSenders, false); p > 0 && f.Sender == "" {
			_, end := t.Span(0, p)
			value := strings.TrimLeft(trimmed[end:], " \t:")
			if nl || utf8.RuneCountInString(value) <= 20 {
				// The whole line names the sender.
				f.Sender = cleanSender(value)
				rest = after
			} else {
				// One line: the sender is the first word, the message follows.
				word, body, _ := strings.Cut(value, " ")
				f.Sender = cleanSender(word)
				rest = body // no newline follows: this was the last line
			}
			continue
		}
		// A header line to drop: "Date: ...", "Le 12/06/2025 à 10:32, ... a écrit".
		if nl && isDropLine(norm) {
			rest = after
			continue
		}
		break
	}
	f.Body = strings.TrimSpace(rest)
	return f
}

// matchMarker returns the length of the normalised prefix of norm that is
// one of the markers followed by ':' (or, when bare is set, by the end of
// the line or a space), 0 when none.
func matchMarker(norm string, markers []string, bare bool) int {
	best := 0
	for _, m := range markers {
		if m == "" || !strings.HasPrefix(norm, m) || len(m) <= best {
			continue
		}
		rest := norm[len(m):]
		switch {
		case strings.HasPrefix(rest, ":"):
			best = len(m) + 1
		case strings.HasPrefix(rest, " :"):
			best = len(m) + 2
		case bare && rest == "" && len(m) > 3:
			// A marker alone on its line ("Transféré").
			best = len(m)
		case bare && strings.Contains(m, " ") && rest != "" && rest[0] == ' ':
			// A marker of a few words ("message transfere"), not a word
			// that may start the message ("transfert du colis").
			best = len(m)
		}
	}
	return best
}

func isDropLine(norm string) bool {
	for _, d := range normDrops {
		if strings.HasPrefix(norm, d) {
			rest := norm[len(d):]
			if strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, " :") {
				return true
			}
			// "le 12/06/2025 a 10:32, atlasmkt a ecrit :"
			if d == "le" && len(rest) > 1 && rest[0] == ' ' && rest[1] >= '0' && rest[1] <= '9' {
				return true
			}
		}
	}
	return strings.HasSuffix(norm, "a ecrit :") || strings.HasSuffix(norm, "a ecrit:") || strings.HasSuffix(norm, "wrote:")
}

// cleanSender trims what surrounds a sender's name: quotes, angle
// brackets, punctuation; at most 32 bytes are kept.
func cleanSender(s string) string {
	s = strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) && r != '&' || r == '<' || r == '>'
	})
	if len(s) > 32 {
		cut := 32
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return s
}

// MaskedNumber replaces a phone number in the texts Bawwab keeps.
const MaskedNumber = "[numéro masqué]"

// MaskNumbers replaces every phone number in s — a run of at least 8
// digits (any script), possibly after '+' and grouped with spaces, dots,
// dashes or parentheses — by MaskedNumber, so that a case, a report or a
// notification never holds a subscriber's number. Prices, short codes,
// dates and times (fewer digits per run, or separated by '/' and ':') stay.
func MaskNumbers(s string) string {
	var b strings.Builder
	last := 0 // end of what is copied
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '+' && !unicode.IsDigit(r) {
			i += size
			continue
		}
		start, j, digits, end := i, i, 0, i
		if r == '+' {
			j += size
		}
		for j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if unicode.IsDigit(r) {
				digits++
				j += size
				end = j
				continue
			}
			if r == ' ' || r == '.' || r == '-' || r == '(' || r == ')' || r == '+' || r == '\u00a0' || r == '\u202f' {
				j += size
				continue
			}
			break
		}
		if digits >= 8 {
			b.WriteString(s[last:start])
			b.WriteString(MaskedNumber)
			last = end
		}
		if end > i {
			i = end
		} else {
			i += size
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
