package strategies

import (
	"fmt"

	"github.com/vmihailenco/msgpack/v5"
)

// MaxClients bounds the clients (or IDs) one event may carry. Decoding
// checks it before allocating: msgpack v5.4.1 sizes a slice by the length
// the bytes declare whatever its alloc-limit setting says, so a corrupt
// length would allocate gigabytes.
const MaxClients = 10_000

// DecodeMsgpack decodes a ListEvent from bytes that may be corrupt.
func (e *ListEvent) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeEvent(dec, &e.Seller, &e.Version, "c", func(n int) error {
		e.Clients = make([]Client, n)
		for i := range e.Clients {
			if err := dec.Decode(&e.Clients[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// DecodeMsgpack decodes an IDsEvent from bytes that may be corrupt.
func (e *IDsEvent) DecodeMsgpack(dec *msgpack.Decoder) error {
	return decodeEvent(dec, &e.Seller, &e.Version, "ids", func(n int) error {
		e.IDs = make([]uint32, n)
		for i := range e.IDs {
			var err error
			if e.IDs[i], err = dec.DecodeUint32(); err != nil {
				return err
			}
		}
		return nil
	})
}

// decodeEvent reads an event's seller and version, and hands the length
// of its list (checked against MaxClients) to list.
func decodeEvent(dec *msgpack.Decoder, seller *Seller, version *uint64, listKey string, list func(n int) error) error {
	return decodeFields(dec, func(key string) error {
		var err error
		switch key {
		case "s":
			*seller, err = decodeSeller(dec)
		case "v":
			*version, err = dec.DecodeUint64()
		case listKey:
			var n int
			if n, err = arrayLen(dec); err == nil && n >= 0 {
				err = list(n)
			}
		default:
			err = dec.Skip()
		}
		return err
	})
}

// decodeFields walks a map of string keys, handing each to field.
func decodeFields(dec *msgpack.Decoder, field func(key string) error) error {
	n, err := dec.DecodeMapLen()
	if err != nil {
		return err
	}
	for range n {
		key, err := dec.DecodeString()
		if err != nil {
			return err
		}
		if err := field(key); err != nil {
			return fmt.Errorf("field %q: %w", key, err)
		}
	}
	return nil
}

func decodeSeller(dec *msgpack.Decoder) (Seller, error) {
	s, err := dec.DecodeInt32()
	return Seller(s), err
}

func arrayLen(dec *msgpack.Decoder) (int, error) {
	n, err := dec.DecodeArrayLen()
	if err == nil && n > MaxClients {
		err = fmt.Errorf("%d entries; at most %d", n, MaxClients)
	}
	return n, err
}

// Encoded sizes, by arithmetic rather than by encoding: sizing every
// client of a large population by encoding it would dominate a run's
// set-up. msgpack/v5 writes a struct as a map of its tagged fields,
// uint32 and int32 in 5 bytes and uint64 in 9 (TestEncodedSizes holds this
// to the real encoder).

func strSize(n int) int {
	switch {
	case n < 32:
		return 1 + n
	case n < 1<<8:
		return 2 + n
	case n < 1<<16:
		return 3 + n
	}
	return 5 + n
}

func containerHeader(n int) int { // map or array of n entries
	switch {
	case n < 16:
		return 1
	case n < 1<<16:
		return 3
	}
	return 5
}

func clientSize(c Client) int {
	return containerHeader(6) +
		strSize(len("id")) + 5 +
		strSize(len("name")) + strSize(len(c.Name)) +
		strSize(len("country")) + strSize(len(c.Country)) +
		strSize(len("logo")) + strSize(len(c.LogoURL)) +
		strSize(len("industry")) + strSize(len(c.Industry)) +
		strSize(len("about")) + strSize(len(c.About))
}

// listEventSize is the size of the ListEvent of l.
func listEventSize(l *List) int {
	n := containerHeader(3) + strSize(1) + 5 + strSize(1) + 9 + strSize(1) + containerHeader(len(l.Clients))
	for _, c := range l.Clients {
		n += clientSize(c)
	}
	return n
}

// idsEventSize is the size of the IDsEvent of l.
func idsEventSize(l *List) int {
	return containerHeader(3) + strSize(1) + 5 + strSize(1) + 9 + strSize(3) + containerHeader(len(l.Clients)) + 5*len(l.Clients)
}
