//go:build linux

package ledger

import (
	"os"
	"syscall"
)

// datasync makes f's data durable without flushing metadata that reading
// it back does not need (fdatasync(2)): the file size is still flushed.
func datasync(f *os.File) error {
	for {
		err := syscall.Fdatasync(int(f.Fd()))
		if err != syscall.EINTR {
			return err
		}
	}
}
