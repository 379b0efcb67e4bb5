package virtual

import (
	"fmt"
	"time"
)

// tracef writes one line of the trace, stamped with the virtual time in
// seconds to the nanosecond. Callers check w.trace first, so a run without
// a trace pays nothing for the formatting or for boxing the arguments.
func (w *World) tracef(format string, args ...any) {
	fmt.Fprintf(w.trace, "%s %s\n", stamp(w.q.now), fmt.Sprintf(format, args...))
}

func stamp(t time.Duration) string {
	return fmt.Sprintf("%4d.%09d", t/time.Second, t%time.Second)
}
