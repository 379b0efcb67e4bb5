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
	// Table returns the table called name: rows numbered from 0, for data
	// keyed by a dense number such as a seller, read without hashing a
	// key. Tables are part of the store: durable, and written atomically
	// with everything else inside Update.
	Table(name string) Table
}

// Table is a store's rows numbered from 0.
type Table interface {
	Get(row int) (any, bool)
	Put(row int, value any)
}

// Tx is the view of a Store inside Update.
type Tx interface {
	Get(key string) (any, bool)
	Put(key string, value any)
	Delete(key string)
	Table(name string) Table
}

// MemStore is the in-memory Store both worlds use. The mutex is uncontended
// in the virtual world (one process runs at a time) and needed in the live
// one; no caller ever blocks on it for long.
type MemStore struct {
	mu     sync.Mutex
	m      map[string]any
	tables map[string]*memTable
}

// NewMemStore returns an empty store.
func NewMemStore() *MemStore {
	return &MemStore{m: map[string]any{}, tables: map[string]*memTable{}}
}

// memTable is a table of a MemStore; a nil row is absent.
type memTable struct {
	s    *MemStore
	rows []any
}

func (s *MemStore) Table(name string) Table {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.table(name)
}

func (s *MemStore) table(name string) *memTable {
	t, ok := s.tables[name]
	if !ok {
		t = &memTable{s: s}
		s.tables[name] = t
	}
	return t
}

func (t *memTable) Get(row int) (any, bool) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	return t.get(row)
}

func (t *memTable) get(row int) (any, bool) {
	if row < 0 || row >= len(t.rows) || t.rows[row] == nil {
		return nil, false
	}
	return t.rows[row], true
}

func (t *memTable) Put(row int, value any) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	t.put(row, value)
}

func (t *memTable) put(row int, value any) {
	if row >= len(t.rows) {
		t.rows = append(t.rows, make([]any, row+1-len(t.rows))...)
	}
	t.rows[row] = value
}

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
	tx := &memTx{s: s, writes: map[string]txWrite{}}
	if err := fn(tx); err != nil {
		return err
	}
	for _, w := range tx.rows {
		w.t.put(w.row, w.value)
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
	s      *MemStore
	writes map[string]txWrite
	rows   []rowWrite // in write order: a later write to a row wins
}

type rowWrite struct {
	t     *memTable
	row   int
	value any
}

func (t *memTx) Get(key string) (any, bool) {
	if w, ok := t.writes[key]; ok {
		return w.value, !w.deleted
	}
	v, ok := t.s.m[key]
	return v, ok
}

func (t *memTx) Table(name string) Table { return txTable{t, t.s.table(name)} }

// txTable is a table seen from inside a transaction.
type txTable struct {
	tx *memTx
	t  *memTable
}

func (tt txTable) Get(row int) (any, bool) {
	for i := len(tt.tx.rows) - 1; i >= 0; i-- {
		if w := tt.tx.rows[i]; w.t == tt.t && w.row == row {
			return w.value, true
		}
	}
	return tt.t.get(row)
}

func (tt txTable) Put(row int, value any) {
	tt.tx.rows = append(tt.tx.rows, rowWrite{tt.t, row, value})
}

func (t *memTx) Put(key string, value any) { t.writes[key] = txWrite{value: value} }
func (t *memTx) Delete(key string)         { t.writes[key] = txWrite{deleted: true} }
