package strategies

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vmihailenco/msgpack/v5"
)

// Seller identifies a seller; sellers are numbered 0..Sellers-1.
type Seller int32

// Client is one of a seller's notable clients, a record of realistic size.
type Client struct {
	ID       uint32 `msgpack:"id"`
	Name     string `msgpack:"name"`
	Country  string `msgpack:"country"`
	LogoURL  string `msgpack:"logo"`
	Industry string `msgpack:"industry"`
	About    string `msgpack:"about"` // padding to the scenario's client size
}

var (
	countries  = []string{"US", "GB", "DE", "FR", "IN", "BR", "JP", "CA", "AU", "NL", "ES", "IT", "SE", "PL", "MX"}
	industries = []string{"Software", "Retail", "Finance", "Healthcare", "Media", "Logistics", "Education", "Travel", "Energy", "Gaming"}
)

// NewClient builds client id, about size bytes once encoded, as a pure
// function of its arguments (so every node can build the same one).
func NewClient(id uint32, size int) Client {
	c := Client{
		ID:       id,
		Name:     "Client " + strconv.FormatUint(uint64(id), 36) + " Holdings",
		Country:  countries[id%uint32(len(countries))],
		LogoURL:  "https://cdn.example.com/logos/" + strconv.FormatUint(uint64(id), 10) + ".png",
		Industry: industries[id/7%uint32(len(industries))],
	}
	if pad := size - clientSize(c); pad > 0 {
		// The string's own length header grows with it: aim a byte or two
		// short rather than over.
		c.About = strings.Repeat("x", max(0, pad-(strSize(pad)-1-pad)))
	}
	return c
}

func encodedSize(v any) int {
	b, err := msgpack.Marshal(v)
	if err != nil {
		panic(err)
	}
	return len(b)
}

// List is a seller's top clients at one version. Lists are immutable once
// stored: a write makes a new one.
type List struct {
	Seller    Seller        `msgpack:"seller"`
	Version   uint64        `msgpack:"version"` // 0: never written, empty
	Clients   []Client      `msgpack:"clients"`
	Committed time.Duration `msgpack:"committed"` // owner's time of the commit
}

// IDs lists the client IDs in order.
func (l *List) IDs() []uint32 {
	ids := make([]uint32, len(l.Clients))
	for i, c := range l.Clients {
		ids[i] = c.ID
	}
	return ids
}

// Op is a kind of write.
type Op string

// The writes a seller makes to their list.
const (
	Add     Op = "add"     // add a client at the end
	Remove  Op = "remove"  // remove a client
	Reorder Op = "reorder" // move a client to the top
)

// Write is one change to a seller's list.
type Write struct {
	Seller Seller
	Op     Op
	Client uint32 // the client added, removed or moved
}

// Apply returns the list after w, or nil if w changes nothing (adding a
// client already there, removing or moving one that is not).
func (w Write) Apply(l *List, clientSize int) *List {
	i := slices.IndexFunc(l.Clients, func(c Client) bool { return c.ID == w.Client })
	var clients []Client
	switch w.Op {
	case Add:
		if i >= 0 {
			return nil
		}
		clients = append(slices.Clone(l.Clients), NewClient(w.Client, clientSize))
	case Remove:
		if i < 0 {
			return nil
		}
		clients = slices.Delete(slices.Clone(l.Clients), i, i+1)
	case Reorder:
		if i <= 0 {
			return nil
		}
		clients = make([]Client, 0, len(l.Clients))
		clients = append(append(append(clients, l.Clients[i]), l.Clients[:i]...), l.Clients[i+1:]...)
	default:
		panic(fmt.Sprintf("strategies: unknown write op %q", w.Op))
	}
	return &List{Seller: l.Seller, Version: l.Version + 1, Clients: clients}
}

// Event kinds the owner publishes: the full list (async) or only the IDs
// (hybrid), keyed by seller so a seller's events stay in order.
type (
	ListEvent struct {
		Seller  Seller   `msgpack:"s"`
		Version uint64   `msgpack:"v"`
		Clients []Client `msgpack:"c"`
	}
	IDsEvent struct {
		Seller  Seller   `msgpack:"s"`
		Version uint64   `msgpack:"v"`
		IDs     []uint32 `msgpack:"ids"`
	}
)

// PageRequest asks a page service to render a page.
type PageRequest struct {
	Kind string // gig, user, search or self in the marketplace; any configured kind
	// Sellers are the records the page shows: the records of each of the
	// kind's reads, concatenated in read order (the marketplace: one, or a
	// search page's K).
	Sellers []Seller
}

// Page is a page service's answer: one section per record asked for (the
// marketplace's are sellers' top clients), in order. A section it could not
// get is Failed; the page renders without it unless its read is required.
type Page struct {
	Kind     string
	Sections []Section
	// Failed, when not empty, says why the page did not render: a required
	// section could not be had. The page is a failure (Err) all the same,
	// but it still carries what each read got, so that each owner's part
	// is counted: its section was had, or not. It travels as the answer
	// rather than as the call's error because neither world carries a body
	// with an error (the live world's wire drops it).
	Failed string
}

// Err is the page's failure to render, or nil if it rendered.
func (p Page) Err() error {
	if p.Failed == "" {
		return nil
	}
	return errors.New(p.Failed)
}

// Section is what a page showed of one seller's top clients.
type Section struct {
	Seller  Seller
	Version uint64        // the list version shown (0: known to be empty)
	Clients int           // clients shown
	ReadAt  time.Duration // when its source read it: the owner, a cache, a view
	Failed  bool          // could not be had in time: the page rendered without it
	// Unasked: a sequence stopped at a failed required read before this
	// one: never asked of its source (Failed too).
	Unasked   bool
	FromOwner bool // read from the owner by this render
}

// Shown reports whether the page showed the section.
func (s Section) Shown() bool { return !s.Failed && s.Clients > 0 }
