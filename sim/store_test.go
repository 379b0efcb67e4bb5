package sim

import (
	"errors"
	"slices"
	"testing"
)

func TestMemStoreUpdateIsAtomic(t *testing.T) {
	s := NewMemStore()
	s.Put("list/1", "a")
	boom := errors.New("boom")
	err := s.Update(func(tx Tx) error {
		tx.Put("list/1", "b")
		tx.Put("outbox/1", "event")
		if v, _ := tx.Get("list/1"); v != "b" {
			t.Errorf("inside Update, Get(list/1) = %v; want its own write b", v)
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Update = %v; want the callback's error", err)
	}
	if v, _ := s.Get("list/1"); v != "a" {
		t.Errorf("after a failed Update, Get(list/1) = %v; want a", v)
	}
	if _, ok := s.Get("outbox/1"); ok {
		t.Error("after a failed Update, outbox/1 exists; want none of its writes")
	}

	if err := s.Update(func(tx Tx) error {
		tx.Put("list/1", "b")
		tx.Put("outbox/2", "e2")
		tx.Put("outbox/1", "e1")
		tx.Delete("list/1")
		_, ok := tx.Get("list/1")
		if ok {
			t.Error("inside Update, a deleted key is still visible")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("list/1"); ok {
		t.Error("list/1 survived its deletion")
	}
	if got := s.Keys("outbox/"); !slices.Equal(got, []string{"outbox/1", "outbox/2"}) {
		t.Errorf("Keys(outbox/) = %v; want [outbox/1 outbox/2]", got)
	}
	if s.Len() != 2 {
		t.Errorf("Len() = %d; want 2", s.Len())
	}
}

func TestMemStoreTables(t *testing.T) {
	s := NewMemStore()
	lists := s.Table("lists")
	if _, ok := lists.Get(5); ok {
		t.Error("an empty table has row 5")
	}
	lists.Put(5, "v1")
	boom := errors.New("boom")
	s.Update(func(tx Tx) error {
		tx.Table("lists").Put(5, "v2")
		if v, _ := tx.Table("lists").Get(5); v != "v2" {
			t.Errorf("inside Update, row 5 = %v; want its own write v2", v)
		}
		return boom
	})
	if v, _ := lists.Get(5); v != "v1" {
		t.Errorf("after a failed Update, row 5 = %v; want v1", v)
	}
	s.Update(func(tx Tx) error {
		tx.Table("lists").Put(5, "v3")
		tx.Put("outbox/1", "e")
		return nil
	})
	if v, _ := s.Table("lists").Get(5); v != "v3" {
		t.Errorf("after Update, row 5 = %v; want v3", v)
	}
	if _, ok := lists.Get(-1); ok {
		t.Error("row -1 exists")
	}
}

type wireThing struct{ A int }

func TestWireTypes(t *testing.T) {
	RegisterWireType(wireThing{}, []wireThing{})
	name, ok := WireName(wireThing{A: 1})
	if !ok || name != "sim.wireThing" {
		t.Fatalf("WireName(wireThing) = %q, %v; want sim.wireThing", name, ok)
	}
	v, ok := WireNew(name)
	if _, isPtr := v.(*wireThing); !ok || !isPtr {
		t.Errorf("WireNew(%q) = %T; want *sim.wireThing", name, v)
	}
	if _, ok := WireNew("sim.nothing"); ok {
		t.Error("WireNew of an unregistered name succeeded")
	}
}
