package workload

import "syscall"

// maxRSS is the most resident memory this process has used, in bytes (0
// where the system does not say).
func maxRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports kilobytes
}
