//go:build unix

package smpp

import "syscall"

// rawWriter makes one write(2) on a socket, which Go keeps in non-blocking
// mode: it returns how much the socket took, 0 when it is full, and never
// waits. Its callback is made once, so a write allocates nothing; one
// writer at a time uses it (wbusy).
type rawWriter struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool
	b   []byte
	n   int
	err error
}

func newRawWriter(rc syscall.RawConn) *rawWriter {
	w := &rawWriter{rc: rc}
	w.fn = w.write
	return w
}

func (w *rawWriter) write(fd uintptr) bool {
	for {
		w.n, w.err = syscall.Write(int(fd), w.b)
		if w.err != syscall.EINTR {
			return true // done, whatever happened: do not wait for the socket
		}
	}
}

func (w *rawWriter) tryWrite(b []byte) (int, error) {
	w.b = b
	err := w.rc.Write(w.fn)
	w.b = nil
	switch {
	case err != nil:
		return 0, err
	case w.err == syscall.EAGAIN:
		return 0, nil
	case w.err != nil:
		return 0, w.err
	}
	return max(w.n, 0), nil
}
