package live

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/vmihailenco/msgpack/v5"

	"github.com/sharebench/sharebench/sim"
)

// ErrCorrupt: a message on the wire did not decode. Calls whose answer is
// corrupt fail with it (wrapped); corrupt request bodies are answered 400.
var ErrCorrupt = errors.New("corrupt message")

// maxBody bounds a call body or answer, bytes.
const maxBody = 16 << 20

// callMsg is a call on the wire: the caller, the registered type name of
// the body ("" for nil) and the body.
type callMsg struct {
	From string             `msgpack:"f"`
	Type string             `msgpack:"t"`
	Body msgpack.RawMessage `msgpack:"b"`
}

// Answer codes.
const (
	codeOK          = ""
	codeUnavailable = "unavailable" // the callee went down holding the call
	codeRejected    = "rejected"    // workers busy, queue full
	codeRemote      = "remote"      // the handler returned an error
	codeCorrupt     = "corrupt"     // the call did not decode
)

// answerMsg is an answer on the wire.
type answerMsg struct {
	Code string             `msgpack:"c"`
	Msg  string             `msgpack:"m"`
	Type string             `msgpack:"t"`
	Body msgpack.RawMessage `msgpack:"b"`
}

// encodeValue encodes v with its registered wire type name.
func encodeValue(v any) (name string, raw msgpack.RawMessage, err error) {
	if v == nil {
		return "", nil, nil
	}
	name, ok := sim.WireName(v)
	if !ok {
		return "", nil, fmt.Errorf("live: %T is not a registered wire type; register it with sim.RegisterWireType", v)
	}
	raw, err = msgpack.Marshal(v)
	return name, raw, err
}

// decodeValue decodes raw into a new value of the type registered as name.
// raw has been checked by checkMsgpack (as part of its envelope).
func decodeValue(name string, raw msgpack.RawMessage) (v any, err error) {
	if name == "" {
		return nil, nil
	}
	p, ok := sim.WireNew(name)
	if !ok {
		return nil, fmt.Errorf("unknown wire type %q", name)
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("decoding %s: %v", name, r)
		}
	}()
	if err := msgpack.Unmarshal(raw, p); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", name, err)
	}
	return reflect.ValueOf(p).Elem().Interface(), nil
}

// decodeEnvelope checks b and decodes it into env, never panicking.
func decodeEnvelope(b []byte, env any) (err error) {
	if err := checkMsgpack(b); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decoding envelope: %v", r)
		}
	}()
	return msgpack.Unmarshal(b, env)
}

func encodeCall(from string, body any) ([]byte, error) {
	name, raw, err := encodeValue(body)
	if err != nil {
		return nil, err
	}
	return msgpack.Marshal(callMsg{From: from, Type: name, Body: raw})
}

func decodeCall(b []byte) (from string, body any, err error) {
	var m callMsg
	if err := decodeEnvelope(b, &m); err != nil {
		return "", nil, err
	}
	body, err = decodeValue(m.Type, m.Body)
	return m.From, body, err
}

func encodeAnswer(a answerMsg) []byte {
	b, err := msgpack.Marshal(a)
	if err != nil {
		panic(err) // strings and raw bytes always encode
	}
	return b
}

// maxDepth bounds the nesting of a message: deeper is corrupt (and would
// make the decoder recurse without bound).
const maxDepth = 64

var (
	errTruncated = errors.New("truncated msgpack")
	errTrailing  = errors.New("bytes after the msgpack value")
)

// checkMsgpack checks that b is exactly one well-formed msgpack value whose
// every declared length fits in the bytes that follow it (an element takes
// at least one byte), nested at most maxDepth deep. The decoder sizes
// slices by the declared length, so without this a corrupt length could
// allocate gigabytes; with it a message never decodes to more elements than
// it has bytes.
func checkMsgpack(b []byte) error {
	todo := make([]uint64, 1, 8) // values still to read, per open container
	todo[0] = 1
	i := 0
	for len(todo) > 0 {
		top := len(todo) - 1
		if todo[top] == 0 {
			todo = todo[:top]
			continue
		}
		todo[top]--
		if i >= len(b) {
			return errTruncated
		}
		at := i
		c := b[i]
		i++
		var skip, items uint64 // bytes to skip; values of a new container
		container := false
		length := func(width int) (uint64, bool) {
			if len(b)-i < width {
				return 0, false
			}
			var n uint64
			for k := range width {
				n = n<<8 | uint64(b[i+k])
			}
			i += width
			return n, true
		}
		ok := true
		switch {
		case c <= 0x7f || c >= 0xe0: // fixint
		case c <= 0x8f:
			items, container = 2*uint64(c&0x0f), true
		case c <= 0x9f:
			items, container = uint64(c&0x0f), true
		case c <= 0xbf:
			skip = uint64(c & 0x1f)
		case c == 0xc0 || c == 0xc2 || c == 0xc3:
		case c == 0xc1:
			return fmt.Errorf("msgpack: reserved byte 0xc1 at %d", at)
		case c == 0xc4 || c == 0xd9: // bin8, str8
			skip, ok = length(1)
		case c == 0xc5 || c == 0xda:
			skip, ok = length(2)
		case c == 0xc6 || c == 0xdb:
			skip, ok = length(4)
		case c == 0xc7: // ext8: length, type, data
			skip, ok = length(1)
			skip++
		case c == 0xc8:
			skip, ok = length(2)
			skip++
		case c == 0xc9:
			skip, ok = length(4)
			skip++
		case c == 0xca || c == 0xce || c == 0xd2:
			skip = 4
		case c == 0xcb || c == 0xcf || c == 0xd3:
			skip = 8
		case c == 0xcc || c == 0xd0:
			skip = 1
		case c == 0xcd || c == 0xd1:
			skip = 2
		case c >= 0xd4 && c <= 0xd8: // fixext 1, 2, 4, 8, 16, after a type byte
			skip = 1 + 1<<(c-0xd4)
		case c == 0xdc:
			items, ok = length(2)
			container = true
		case c == 0xdd:
			items, ok = length(4)
			container = true
		case c == 0xde:
			items, ok = length(2)
			items *= 2
			container = true
		case c == 0xdf:
			items, ok = length(4)
			items *= 2
			container = true
		}
		rest := uint64(len(b) - i)
		if !ok || skip > rest {
			return errTruncated
		}
		i += int(skip)
		if container {
			if items > rest {
				return fmt.Errorf("msgpack: container at %d declares %d values in %d bytes", at, items, rest)
			}
			if len(todo) > maxDepth {
				return fmt.Errorf("msgpack: nested deeper than %d", maxDepth)
			}
			todo = append(todo, items)
		}
	}
	if i != len(b) {
		return errTrailing
	}
	return nil
}
