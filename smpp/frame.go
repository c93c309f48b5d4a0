package smpp

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// DefaultMaxCommandLength is the default cap on command_length: a PDU
// announcing more is not read, and the connection is closed after a
// generic_nack ESME_RINVCMDLEN.
const DefaultMaxCommandLength = 64 << 10

// FrameError is a command_length below 16 or above the cap: the stream
// cannot be trusted past this header, so the connection must close. Status
// is ESME_RINVCMDLEN.
type FrameError struct {
	Length  uint32
	Max     int
	Command CommandID
	Seq     uint32
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("smpp: command_length %d of %v (seq %d) outside 16..%d", e.Length, e.Command, e.Seq, e.Max)
}

// Unwrap returns StatusInvalidCmdLen.
func (e *FrameError) Unwrap() error { return StatusInvalidCmdLen }

// Reader splits a byte stream into PDUs.
type Reader struct {
	r   *bufio.Reader
	max int
	hdr [HeaderLen]byte
}

// NewReader returns a Reader of the PDUs in r that refuses any
// command_length above max (DefaultMaxCommandLength if max <= 0).
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = DefaultMaxCommandLength
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 64<<10)
	}
	return &Reader{r: br, max: max}
}

// Read reads the next PDU and appends its bytes, header included, to
// buf[:0] (pass nil for a new buffer). It returns io.EOF at a clean end of
// stream, io.ErrUnexpectedEOF inside a PDU, and a *FrameError for a
// command_length outside 16..max.
func (r *Reader) Read(buf []byte) ([]byte, error) {
	if _, err := r.readHeader(); err != nil {
		return nil, err
	}
	return r.readBody(buf)
}

// readHeader reads and checks the next header, which readBody completes.
func (r *Reader) readHeader() (CommandID, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return 0, err
	}
	n := binary.BigEndian.Uint32(r.hdr[:])
	cmd := CommandID(binary.BigEndian.Uint32(r.hdr[4:]))
	if n < HeaderLen || int64(n) > int64(r.max) {
		return cmd, &FrameError{Length: n, Max: r.max, Command: cmd, Seq: binary.BigEndian.Uint32(r.hdr[12:])}
	}
	return cmd, nil
}

// readBody returns the PDU whose header readHeader read, in buf if it has
// room.
func (r *Reader) readBody(buf []byte) ([]byte, error) {
	n := int(binary.BigEndian.Uint32(r.hdr[:]))
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	copy(buf, r.hdr[:])
	if _, err := io.ReadFull(r.r, buf[HeaderLen:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}

// ready reports whether a whole PDU (or a header that will fail) is
// buffered, so that reading it will not wait for the network.
func (r *Reader) ready() bool {
	n := r.r.Buffered()
	if n < HeaderLen {
		return false
	}
	b, _ := r.r.Peek(4)
	return int64(n) >= int64(binary.BigEndian.Uint32(b)) || int64(binary.BigEndian.Uint32(b)) > int64(r.max)
}

// Buffered returns the number of bytes read from the stream and not yet
// returned.
func (r *Reader) Buffered() int { return r.r.Buffered() }
