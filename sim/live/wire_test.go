package live

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// wireSamples are values of every msgpack format: each size class of
// integers, strings, binaries, arrays and maps, floats, extensions, nesting.
func wireSamples() []any {
	return []any{
		nil, true, false, 0, 1, -1, -32, -33, 127, 128, 255, 256, 65535, 65536, -129, -32769,
		math.MaxInt64, math.MinInt64, uint64(math.MaxUint64), float32(1.5), 2.25,
		"", "x", strings.Repeat("s", 31), strings.Repeat("s", 32), strings.Repeat("s", 256), strings.Repeat("s", 70000),
		[]byte{}, []byte{1, 2, 3}, bytes.Repeat([]byte{7}, 300), bytes.Repeat([]byte{7}, 70000),
		[]int{}, make([]int, 15), make([]int, 16), make([]int, 70000),
		map[string]int{}, map[string]int{"a": 1}, func() map[int]int {
			m := map[int]int{}
			for i := range 20 {
				m[i] = i
			}
			return m
		}(),
		time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC), time.Unix(1, 0),
		echoReq{N: 3, Msg: "hi"}, []echoResp{{N: 1, From: "a", Work: time.Second}},
		[][]any{{1, "a", nil}, {map[string]any{"k": []any{1.5, true}}}},
	}
}

// TestCheckMsgpack: every encoded value passes; every strict prefix of one
// (a truncated message) and every value with a byte appended fails.
func TestCheckMsgpack(t *testing.T) {
	for _, v := range wireSamples() {
		b, err := msgpack.Marshal(v)
		if err != nil {
			t.Fatalf("Marshal(%T): %v", v, err)
		}
		if err := checkMsgpack(b); err != nil {
			t.Errorf("checkMsgpack(%T %.40v) = %v; want nil", v, v, err)
		}
		step := max(1, len(b)/200) // every prefix of small ones, a sample of large ones
		for k := 0; k < len(b); k += step {
			if checkMsgpack(b[:k]) == nil {
				t.Errorf("checkMsgpack of %d of the %d bytes of %T = nil; want an error", k, len(b), v)
				break
			}
		}
		if checkMsgpack(append(b, 0)) == nil {
			t.Errorf("checkMsgpack(%T with a byte appended) = nil; want an error", v)
		}
	}
}

// TestCheckMsgpackRejects lengths past the bytes and nesting without end.
func TestCheckMsgpackRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"array32 of 4G":  {0xdd, 0xff, 0xff, 0xff, 0xff, 0x01},
		"map16 of 64k":   {0xde, 0xff, 0xff, 0x01, 0x01},
		"str32 of 4G":    {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'},
		"ext32":          {0xc9, 0x00, 0x00, 0x01, 0x00, 0x05},
		"reserved":       {0xc1},
		"deep":           append(bytes.Repeat([]byte{0x91}, maxDepth+2), 0xc0),
		"empty":          nil,
		"fixarray short": {0x93, 0x01, 0x02},
	} {
		if err := checkMsgpack(b); err == nil {
			t.Errorf("checkMsgpack(%s) = nil; want an error", name)
		}
	}
}

// FuzzDecodeCall: no input makes decoding a call panic, and what decodes
// re-encodes.
func FuzzDecodeCall(f *testing.F) {
	for _, v := range []any{nil, echoReq{N: 1, Msg: "m"}, echoResp{From: "x"}, []byte("raw")} {
		b, err := encodeCall("client", v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		from, body, err := decodeCall(b)
		if err != nil {
			return
		}
		if _, err := encodeCall(from, body); err != nil {
			t.Errorf("decoded %T does not re-encode: %v", body, err)
		}
	})
}
