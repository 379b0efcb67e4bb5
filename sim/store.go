package sim

import (
	"maps"
	"slices"
	"strings"
	"sync"
)

// Store is a node's durable key-value store: its database, which outlives
// the node's crashes. Values are Go values shared with readers, so they
// must not be mutated once stored (store a new value instead).
type Store interface {
	Get(key string) (any, bool)
	Put(key string, value any)
	Delete(key string)
	// Update applies fn's writes atomically: all of them if fn returns nil,
	// none otherwise. fn sees its own writes.
	Update(fn func(tx Tx) error) error
	// Keys returns the keys with the given prefix, sorted.
	Keys(prefix string) []string
	// Len is the number of keys.
	Len() int
}

// Tx is the view of a Store inside Update.
type Tx interface {
	Get(key string) (any, bool)
	Put(key string, value any)
	Delete(key string)
}

// MemStore is the in-memory Store both worlds use. The mutex is uncontended
// in the virtual world (one process runs at a time) and needed in the live
// one; no caller ever blocks on it for long.
type MemStore struct {
	mu sync.Mutex
	m  map[string]any
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore { return &MemStore{m: map[string]any{}} }

func (s *MemStore) Get(key string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok
}

func (s *MemStore) Put(key string, value any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
}

func (s *MemStore) Delete(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
}

func (s *MemStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}

func (s *MemStore) Keys(prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func (s *MemStore) Update(fn func(tx Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx := &memTx{base: s.m, writes: map[string]txWrite{}}
	if err := fn(tx); err != nil {
		return err
	}
	// Sorted so that nothing observable depends on map order.
	for _, k := range slices.Sorted(maps.Keys(tx.writes)) {
		if w := tx.writes[k]; w.deleted {
			delete(s.m, k)
		} else {
			s.m[k] = w.value
		}
	}
	return nil
}

type txWrite struct {
	value   any
	deleted bool
}

type memTx struct {
	base   map[string]any
	writes map[string]txWrite
}

func (t *memTx) Get(key string) (any, bool) {
	if w, ok := t.writes[key]; ok {
		return w.value, !w.deleted
	}
	v, ok := t.base[key]
	return v, ok
}

func (t *memTx) Put(key string, value any) { t.writes[key] = txWrite{value: value} }
func (t *memTx) Delete(key string)         { t.writes[key] = txWrite{deleted: true} }
