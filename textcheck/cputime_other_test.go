//go:build !unix

package textcheck

import "time"

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }
