package virtual

// removeAt removes s[i] in O(1) by moving the last element into its place
// (order is not kept, but stays deterministic) and tells the moved element
// its new index through reindex.
func removeAt[T any](s []T, i int, reindex func(T, int)) []T {
	last := len(s) - 1
	s[i] = s[last]
	reindex(s[i], i)
	var zero T
	s[last] = zero // drop the reference for the GC
	return s[:last]
}
