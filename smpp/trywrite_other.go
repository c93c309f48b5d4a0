//go:build !unix

package smpp

import "syscall"

// rawWriter writes nothing where no non-blocking write is at hand: the
// writer goroutine writes everything.
type rawWriter struct{}

func newRawWriter(syscall.RawConn) *rawWriter { return &rawWriter{} }

func (*rawWriter) tryWrite([]byte) (int, error) { return 0, nil }
