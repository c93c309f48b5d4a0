package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/bawwab/bawwab"
	"golang.org/x/mod/sumdb/tlog"
)

// The canonical encoding of an entry, version 1, is what the ledger hashes
// (FORMAT.md gives it byte by byte). It is a version byte followed by the
// entry's non-zero fields in increasing tag order, each a tag byte and a
// value; a zero field is absent. Decoding is strict: unknown or repeated
// tags, tags out of order, zero values, non-minimal varints and trailing
// bytes are errors, so that one entry has exactly one encoding and
// re-encoding a decoded entry gives back the bytes that were hashed. The
// index is not encoded: the position in the Merkle tree fixes it.

// EntryVersion is the first byte of every encoded entry.
const EntryVersion = 1

// Limits on what one entry may hold, so that a damaged length can never make
// a reader allocate much.
const (
	MaxEntrySize       = 1 << 20 // an encoded entry
	MaxFieldSize       = 1 << 16 // one string field
	MaxFingerprintSize = 64
	MaxRefs            = 1024
	MaxTextSize        = 1 << 20 // a message text, kept beside the entry
	TextNonceSize      = 16
)

// Field tags of version 1, in the order they must appear.
const (
	tagKind          = 0x01 // uvarint
	tagTime          = 0x02 // 8 bytes, big-endian Unix nanoseconds
	tagOutcome       = 0x03 // uvarint
	tagMode          = 0x04 // uvarint
	tagReason        = 0x05 // bytes
	tagFlag          = 0x06 // bytes
	tagRuleSet       = 0x07 // bytes
	tagUntil         = 0x08 // 8 bytes
	tagProvider      = 0x09 // bytes
	tagAccount       = 0x0A // bytes
	tagAdvertiser    = 0x0B // bytes
	tagSender        = 0x0C // bytes
	tagOperator      = 0x0D // bytes
	tagRecipient     = 0x0E // 4-byte key id + 32-byte HMAC
	tagFingerprint   = 0x0F // bytes, at most 64
	tagTextHash      = 0x10 // 32 bytes
	tagSMSCMessageID = 0x11 // bytes
	tagAction        = 0x12 // bytes
	tagSubject       = 0x13 // bytes
	tagChannel       = 0x14 // bytes
	tagActor         = 0x15 // bytes
	tagDetail        = 0x16 // bytes
	tagRefs          = 0x17 // uvarint count, then count uvarint indexes
	maxTag           = tagRefs
)

type fieldType uint8

const (
	typeUvarint fieldType = iota + 1
	typeTime
	typeBytes
	typeRecipient
	typeDigest
	typeRefs
)

var fieldTypes = [maxTag + 1]fieldType{
	tagKind: typeUvarint, tagTime: typeTime, tagOutcome: typeUvarint, tagMode: typeUvarint,
	tagReason: typeBytes, tagFlag: typeBytes, tagRuleSet: typeBytes, tagUntil: typeTime,
	tagProvider: typeBytes, tagAccount: typeBytes, tagAdvertiser: typeBytes, tagSender: typeBytes,
	tagOperator: typeBytes, tagRecipient: typeRecipient, tagFingerprint: typeBytes,
	tagTextHash: typeDigest, tagSMSCMessageID: typeBytes, tagAction: typeBytes, tagSubject: typeBytes,
	tagChannel: typeBytes, tagActor: typeBytes, tagDetail: typeBytes, tagRefs: typeRefs,
}

var fieldNames = [maxTag + 1]string{
	tagKind: "kind", tagTime: "time", tagOutcome: "outcome", tagMode: "mode", tagReason: "reason",
	tagFlag: "flag", tagRuleSet: "rule_set", tagUntil: "until", tagProvider: "provider",
	tagAccount: "account", tagAdvertiser: "advertiser", tagSender: "sender", tagOperator: "operator",
	tagRecipient: "recipient", tagFingerprint: "fingerprint", tagTextHash: "text_hash",
	tagSMSCMessageID: "smsc_message_id", tagAction: "action", tagSubject: "subject",
	tagChannel: "channel", tagActor: "actor", tagDetail: "detail", tagRefs: "refs",
}

// MarshalEntry returns the canonical encoding of e: the bytes the ledger
// hashes. It encodes Recipient and TextHash, never MSISDN or Text, and not
// the Index. It fails on an entry the ledger would refuse.
func MarshalEntry(e *bawwab.LedgerEntry) ([]byte, error) {
	return AppendEntry(make([]byte, 0, 256), e)
}

// AppendEntry appends the canonical encoding of e to dst.
func AppendEntry(dst []byte, e *bawwab.LedgerEntry) ([]byte, error) {
	if !e.Kind.Valid() {
		return dst, fmt.Errorf("invalid entry kind %d", e.Kind)
	}
	if e.Outcome > bawwab.Defer {
		return dst, fmt.Errorf("invalid outcome %d", e.Outcome)
	}
	if e.Mode > bawwab.Monitor {
		return dst, fmt.Errorf("invalid mode %d", e.Mode)
	}
	for _, r := range [...]bawwab.Reason{e.Reason, e.Flag} {
		if r != bawwab.ReasonNone && !r.Valid() {
			return dst, fmt.Errorf("unknown reason %q", r)
		}
	}
	if len(e.Fingerprint) > MaxFingerprintSize {
		return dst, fmt.Errorf("fingerprint of %d bytes (at most %d)", len(e.Fingerprint), MaxFingerprintSize)
	}
	if len(e.Refs) > MaxRefs {
		return dst, fmt.Errorf("%d refs (at most %d)", len(e.Refs), MaxRefs)
	}
	start := len(dst)
	dst = append(dst, EntryVersion)
	dst = appendUvarintField(dst, tagKind, uint64(e.Kind))
	if e.Time.IsZero() {
		return dst[:start], errors.New("entry has no time")
	}
	var err error
	if dst, err = appendTimeField(dst, tagTime, e.Time); err != nil {
		return dst[:start], err
	}
	dst = appendUvarintField(dst, tagOutcome, uint64(e.Outcome))
	dst = appendUvarintField(dst, tagMode, uint64(e.Mode))
	dst = appendBytesField(dst, tagReason, string(e.Reason))
	dst = appendBytesField(dst, tagFlag, string(e.Flag))
	dst = appendBytesField(dst, tagRuleSet, e.RuleSet)
	if !e.Until.IsZero() {
		if dst, err = appendTimeField(dst, tagUntil, e.Until); err != nil {
			return dst[:start], err
		}
	}
	dst = appendBytesField(dst, tagProvider, e.ProviderID)
	dst = appendBytesField(dst, tagAccount, e.AccountID)
	dst = appendBytesField(dst, tagAdvertiser, e.AdvertiserID)
	dst = appendBytesField(dst, tagSender, e.SenderID)
	dst = appendBytesField(dst, tagOperator, e.OperatorID)
	if !e.Recipient.IsZero() {
		dst = append(dst, tagRecipient)
		dst = binary.BigEndian.AppendUint32(dst, e.Recipient.KeyID)
		dst = append(dst, e.Recipient.Sum[:]...)
	}
	dst = appendBytesField(dst, tagFingerprint, string(e.Fingerprint))
	if !e.TextHash.IsZero() {
		dst = append(dst, tagTextHash)
		dst = append(dst, e.TextHash[:]...)
	}
	dst = appendBytesField(dst, tagSMSCMessageID, e.SMSCMessageID)
	dst = appendBytesField(dst, tagAction, e.Action)
	dst = appendBytesField(dst, tagSubject, e.Subject)
	dst = appendBytesField(dst, tagChannel, e.Channel)
	dst = appendBytesField(dst, tagActor, e.Actor)
	dst = appendBytesField(dst, tagDetail, e.Detail)
	if len(e.Refs) > 0 {
		dst = append(dst, tagRefs)
		dst = binary.AppendUvarint(dst, uint64(len(e.Refs)))
		for _, r := range e.Refs {
			if r < 0 {
				return dst[:start], fmt.Errorf("negative ref %d", r)
			}
			dst = binary.AppendUvarint(dst, uint64(r))
		}
	}
	for _, s := range [...]string{string(e.Reason), string(e.Flag), e.RuleSet, e.ProviderID, e.AccountID,
		e.AdvertiserID, e.SenderID, e.OperatorID, e.SMSCMessageID, e.Action, e.Subject, e.Channel, e.Actor, e.Detail} {
		if len(s) > MaxFieldSize {
			return dst[:start], fmt.Errorf("a field of %d bytes (at most %d)", len(s), MaxFieldSize)
		}
	}
	if len(dst)-start > MaxEntrySize {
		return dst[:start], fmt.Errorf("entry of %d bytes (at most %d)", len(dst)-start, MaxEntrySize)
	}
	return dst, nil
}

func appendUvarintField(dst []byte, tag byte, v uint64) []byte {
	if v == 0 {
		return dst
	}
	return binary.AppendUvarint(append(dst, tag), v)
}

func appendBytesField(dst []byte, tag byte, s string) []byte {
	if s == "" {
		return dst
	}
	dst = binary.AppendUvarint(append(dst, tag), uint64(len(s)))
	return append(dst, s...)
}

// minTime and maxTime bound the times an entry can hold: after the Unix
// epoch (a zero count means "no time") and within int64 nanoseconds.
var (
	minTime = time.Unix(0, 1)
	maxTime = time.Unix(0, math.MaxInt64)
)

func appendTimeField(dst []byte, tag byte, t time.Time) ([]byte, error) {
	if t.Before(minTime) || t.After(maxTime) {
		return dst, fmt.Errorf("time %s out of range", t.Format(time.RFC3339Nano))
	}
	return binary.BigEndian.AppendUint64(append(dst, tag), uint64(t.UnixNano())), nil
}

// entryView is a decoded entry whose fields still point into the encoded
// bytes: verification reads it without allocating.
type entryView struct {
	fields [maxTag + 1][]byte // raw values; nil when absent
	kind   uint64
	time   int64
	until  int64
}

// DecodeError says why bytes are not a canonical version-1 entry.
type DecodeError struct {
	Offset int
	Msg    string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("entry encoding at byte %d: %s", e.Offset, e.Msg)
}

func decodeErr(off int, format string, args ...any) error {
	return &DecodeError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// uvarint reads a minimal unsigned varint.
func uvarint(b []byte) (uint64, int, bool) {
	v, n := binary.Uvarint(b)
	if n <= 0 || n > 1 && b[n-1] == 0 {
		return 0, 0, false
	}
	return v, n, true
}

// parse checks that data is a canonical version-1 entry and fills v.
func (v *entryView) parse(data []byte) error {
	*v = entryView{}
	if len(data) == 0 {
		return decodeErr(0, "empty")
	}
	if len(data) > MaxEntrySize {
		return decodeErr(0, "%d bytes (at most %d)", len(data), MaxEntrySize)
	}
	if data[0] != EntryVersion {
		return decodeErr(0, "version %d (want %d)", data[0], EntryVersion)
	}
	last := byte(0)
	for i := 1; i < len(data); {
		tag := data[i]
		if tag == 0 || tag > maxTag {
			return decodeErr(i, "unknown tag %#02x", tag)
		}
		if tag <= last {
			return decodeErr(i, "tag %s after %s", fieldNames[tag], fieldNames[last])
		}
		last = tag
		i++
		rest := data[i:]
		var n int
		switch fieldTypes[tag] {
		case typeUvarint:
			x, m, ok := uvarint(rest)
			if !ok {
				return decodeErr(i, "%s: bad varint", fieldNames[tag])
			}
			if x == 0 {
				return decodeErr(i, "%s: zero value encoded", fieldNames[tag])
			}
			switch {
			case tag == tagKind && x > math.MaxUint8,
				tag == tagOutcome && x > uint64(bawwab.Defer),
				tag == tagMode && x > uint64(bawwab.Monitor):
				return decodeErr(i, "%s: value %d out of range", fieldNames[tag], x)
			}
			if tag == tagKind {
				v.kind = x
			}
			n = m
		case typeTime:
			if len(rest) < 8 {
				return decodeErr(i, "%s: truncated", fieldNames[tag])
			}
			t := int64(binary.BigEndian.Uint64(rest))
			if t <= 0 {
				return decodeErr(i, "%s: %d out of range", fieldNames[tag], t)
			}
			if tag == tagTime {
				v.time = t
			} else {
				v.until = t
			}
			n = 8
		case typeBytes:
			l, m, ok := uvarint(rest)
			if !ok {
				return decodeErr(i, "%s: bad length", fieldNames[tag])
			}
			max := uint64(MaxFieldSize)
			if tag == tagFingerprint {
				max = MaxFingerprintSize
			}
			if l == 0 || l > max || l > uint64(len(rest)-m) {
				return decodeErr(i, "%s: length %d out of range", fieldNames[tag], l)
			}
			n = m + int(l)
		case typeRecipient, typeDigest:
			n = 36
			if fieldTypes[tag] == typeDigest {
				n = 32
			}
			if len(rest) < n {
				return decodeErr(i, "%s: truncated", fieldNames[tag])
			}
			if isZero(rest[:n]) {
				return decodeErr(i, "%s: zero value encoded", fieldNames[tag])
			}
		case typeRefs:
			c, m, ok := uvarint(rest)
			if !ok || c == 0 || c > MaxRefs {
				return decodeErr(i, "refs: bad count")
			}
			n = m
			for range c {
				r, m, ok := uvarint(rest[n:])
				if !ok || r > math.MaxInt64 {
					return decodeErr(i+n, "refs: bad varint")
				}
				n += m
			}
		}
		if tag != tagKind && tag != tagTime && tag != tagUntil {
			v.fields[tag] = rest[:n]
		}
		i += n
	}
	if v.kind == 0 {
		return decodeErr(len(data), "no kind")
	}
	if v.time == 0 {
		return decodeErr(len(data), "no time")
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// bytesValue returns the value of a bytes field without its length.
func (v *entryView) bytesValue(tag byte) []byte {
	raw := v.fields[tag]
	if raw == nil {
		return nil
	}
	_, m, _ := uvarint(raw)
	return raw[m:]
}

func (v *entryView) str(tag byte) string { return string(v.bytesValue(tag)) }

func (v *entryView) textHash() (d bawwab.Digest) {
	copy(d[:], v.fields[tagTextHash])
	return d
}

// refs calls fn with each ref; the encoding was checked by parse.
func (v *entryView) refs(fn func(int64)) {
	raw := v.fields[tagRefs]
	if raw == nil {
		return
	}
	c, n, _ := uvarint(raw)
	for range c {
		r, m, _ := uvarint(raw[n:])
		n += m
		fn(int64(r))
	}
}

// uvarintValue returns a uvarint field's value, 0 when absent.
func (v *entryView) uvarintValue(tag byte) uint64 {
	x, _, _ := uvarint(v.fields[tag])
	return x
}

// entry builds the domain entry (copying every value out of data).
func (v *entryView) entry(e *bawwab.LedgerEntry) {
	*e = bawwab.LedgerEntry{
		Kind:          bawwab.EntryKind(v.kind),
		Time:          time.Unix(0, v.time).UTC(),
		Outcome:       bawwab.Outcome(v.uvarintValue(tagOutcome)),
		Mode:          bawwab.Mode(v.uvarintValue(tagMode)),
		Reason:        bawwab.Reason(v.str(tagReason)),
		Flag:          bawwab.Reason(v.str(tagFlag)),
		RuleSet:       v.str(tagRuleSet),
		ProviderID:    v.str(tagProvider),
		AccountID:     v.str(tagAccount),
		AdvertiserID:  v.str(tagAdvertiser),
		SenderID:      v.str(tagSender),
		OperatorID:    v.str(tagOperator),
		SMSCMessageID: v.str(tagSMSCMessageID),
		Action:        v.str(tagAction),
		Subject:       v.str(tagSubject),
		Channel:       v.str(tagChannel),
		Actor:         v.str(tagActor),
		Detail:        v.str(tagDetail),
		TextHash:      v.textHash(),
	}
	if v.until != 0 {
		e.Until = time.Unix(0, v.until).UTC()
	}
	if r := v.fields[tagRecipient]; r != nil {
		e.Recipient.KeyID = binary.BigEndian.Uint32(r)
		copy(e.Recipient.Sum[:], r[4:])
	}
	if f := v.bytesValue(tagFingerprint); f != nil {
		e.Fingerprint = append([]byte(nil), f...)
	}
	v.refs(func(r int64) { e.Refs = append(e.Refs, r) })
}

// UnmarshalEntry decodes a canonical version-1 entry into e. Index, MSISDN,
// Text and TextNonce are left zero: they are not part of the encoding.
func UnmarshalEntry(data []byte, e *bawwab.LedgerEntry) error {
	var v entryView
	if err := v.parse(data); err != nil {
		return err
	}
	v.entry(e)
	return nil
}

// chainPrefix separates chain hashes from tlog's record (0x00) and node
// (0x01) hashes.
const chainPrefix = 0x02

// ChainHash returns the chain hash of an entry: SHA-256(0x02 || prev ||
// record hash), prev being the chain hash of the entry before (32 zero
// bytes for the first).
func ChainHash(prev, record tlog.Hash) tlog.Hash {
	var buf [1 + 2*tlog.HashSize]byte
	buf[0] = chainPrefix
	copy(buf[1:], prev[:])
	copy(buf[1+tlog.HashSize:], record[:])
	return sha256.Sum256(buf[:])
}

// TextHash returns the commitment to a message text: SHA-256(nonce ||
// text).
func TextHash(nonce []byte, text string) bawwab.Digest {
	var buf [1024]byte
	if len(nonce)+len(text) <= len(buf) {
		// The common case, without allocating.
		n := copy(buf[:], nonce)
		n += copy(buf[n:], text)
		return sha256.Sum256(buf[:n])
	}
	h := sha256.New()
	h.Write(nonce)
	h.Write([]byte(text))
	var d bawwab.Digest
	h.Sum(d[:0])
	return d
}

// textHashBytes is TextHash of a text held in bytes.
func textHashBytes(nonce, text []byte) bawwab.Digest {
	var buf [1024]byte
	if len(nonce)+len(text) <= len(buf) {
		n := copy(buf[:], nonce)
		n += copy(buf[n:], text)
		return sha256.Sum256(buf[:n])
	}
	h := sha256.New()
	h.Write(nonce)
	h.Write(text)
	var d bawwab.Digest
	h.Sum(d[:0])
	return d
}
