package sim

import (
	"fmt"
	"reflect"
	"sync"
)

// Bodies and answers of calls travel as Go values (any). A world that
// puts them on a wire (live) must decode them into the same Go types, so
// every type that travels is registered here by name.

var wire = struct {
	sync.RWMutex
	byName map[string]reflect.Type
	byType map[reflect.Type]string
}{byName: map[string]reflect.Type{}, byType: map[reflect.Type]string{}}

// RegisterWireType records the types of examples as ones that travel as
// call bodies or answers. Registering a type twice is harmless.
func RegisterWireType(examples ...any) {
	wire.Lock()
	defer wire.Unlock()
	for _, e := range examples {
		t := reflect.TypeOf(e)
		name := t.String()
		if old, ok := wire.byName[name]; ok && old != t {
			panic(fmt.Sprintf("sim: two wire types named %s", name))
		}
		wire.byName[name], wire.byType[t] = t, name
	}
}

// WireName is the registered name of v's type.
func WireName(v any) (string, bool) {
	wire.RLock()
	defer wire.RUnlock()
	name, ok := wire.byType[reflect.TypeOf(v)]
	return name, ok
}

// WireNew returns a pointer to a new zero value of the type registered as
// name.
func WireNew(name string) (any, bool) {
	wire.RLock()
	defer wire.RUnlock()
	t, ok := wire.byName[name]
	if !ok {
		return nil, false
	}
	return reflect.New(t).Interface(), true
}
