package live

import (
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// The proxies are this package's own, not toxiproxy's: see proxy's doc.

// proxyKey names the proxy for connections node from opens to node to at
// target (a service's server, or one broker of the cluster).
type proxyKey struct{ from, to, target string }

// proxy is a TCP proxy on 127.0.0.1 for the connections one node opens to
// another: every directed pair of nodes that talk has its own, so that a
// fault on a link, or on a node, reaches exactly the connections it should.
// Bytes from → to travel "up", to → from "down"; each direction is a
// reader and a writer goroutine with a queue between them, so a chunk's
// delay is counted from when it arrived and chunks never overtake each
// other.
//
// What the fault state does to a proxy (see netState.flow):
//
//   - from down (any outage, crash), or to down refusing: the listener is
//     closed (dials are refused) and every connection reset.
//   - to down swallowing, or a partition on the direction: the writer holds
//     its bytes back. Under a dropping condition (blackhole, drop
//     partition) the connection is marked lost and reset when the condition
//     ends, or at once if its sender has given up; under a holding
//     partition the bytes are delivered when it heals.
//   - latency and loss faults are drawn per chunk when it is read.
//
// toxiproxy (github.com/Shopify/toxiproxy/v2) was the alternative. As a
// library it brings an HTTP API server, Prometheus, zerolog, gorilla/mux
// and urfave/cli into the module; its latency toxic draws uniform jitter in
// whole milliseconds from the global math/rand and delays chunks one after
// another, so back-to-back chunks add up their delays; and it has no notion
// of a node whose outage must reach every link into and out of it, of a
// partition that holds and then releases, or of losing exactly the
// connections that carried data during a drop. Each of those would be a
// custom toxic plus bookkeeping around it; the proxy below is smaller than
// that glue, draws from the world's seeded streams and the scenario's
// distributions, and its goroutines are all accounted for by World.Close.
type proxy struct {
	w        *World
	from, to *Node
	target   string

	mu     sync.Mutex
	addr   string       // where callers dial; kept across a refusing spell
	ln     net.Listener // nil while refusing
	conns  map[*pconn]struct{}
	closed bool
}

// serviceProxy returns the proxy for from's calls to the service called
// to, nil once the world is closed. Calling a node that serves nothing is
// a harness bug and panics.
func (w *World) serviceProxy(from *Node, to string) *proxy {
	w.mu.Lock()
	defer w.mu.Unlock()
	tn := w.nodes[to]
	if tn == nil || tn.svc == nil {
		panic(fmt.Sprintf("live: %s calls %q, which is not a service of this world", from.name, to))
	}
	if w.closed {
		return nil
	}
	p, err := w.proxyLocked(from, tn, tn.svc.addr)
	if err != nil {
		return nil
	}
	return p
}

// brokerProxy returns the proxy for from's connections to the broker at
// target.
func (w *World) brokerProxy(from *Node, target string) (*proxy, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil, errWorldClosed
	}
	return w.proxyLocked(from, w.nodes[sim.BrokerNode], target)
}

func (w *World) proxyLocked(from, to *Node, target string) (*proxy, error) {
	k := proxyKey{from.name, to.name, target}
	if p := w.proxies[k]; p != nil {
		return p, nil
	}
	p := &proxy{w: w, from: from, to: to, target: target, addr: "127.0.0.1:0", conns: map[*pconn]struct{}{}}
	p.mu.Lock()
	err := p.listenLocked()
	p.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("live: proxy %s->%s: %w", from.name, to.name, err)
	}
	w.proxies[k] = p
	p.refresh()
	return p, nil
}

// Addr is where the proxy listens (or last listened, while refusing).
func (p *proxy) Addr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.addr
}

// refusing reports whether the proxy must refuse connections now.
func (p *proxy) refusing() bool {
	fromDown, _ := p.from.state()
	toDown, swallowing := p.to.state()
	return fromDown || (toDown && !swallowing)
}

// refresh brings the listener in line with the nodes' state: closed and
// every connection reset while refusing, open again after.
func (p *proxy) refresh() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if p.refusing() {
		if p.ln != nil {
			p.ln.Close()
			p.ln = nil
		}
		for c := range p.conns {
			c.shut(true)
		}
		return
	}
	if p.ln == nil {
		p.listenLocked() // on failure it stays refusing; the next refresh retries
	}
}

// listenLocked listens again on the proxy's address (so callers holding
// it reach it), or on a new port if that one has been taken meanwhile.
func (p *proxy) listenLocked() error {
	ln, err := net.Listen("tcp4", p.addr)
	if err != nil {
		if ln, err = net.Listen("tcp4", "127.0.0.1:0"); err != nil {
			return err
		}
	}
	p.addr, p.ln = ln.Addr().String(), ln
	if !p.w.spawn(func() { p.accept(ln) }) {
		ln.Close()
		p.ln = nil
		return errWorldClosed
	}
	return nil
}

func (p *proxy) accept(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // out of descriptors, say
			continue
		}
		if !p.w.spawn(func() { p.serve(ln, c) }) {
			reset(c)
		}
	}
}

// serve connects one accepted connection to the target and pipes it.
func (p *proxy) serve(ln net.Listener, client net.Conn) {
	d := net.Dialer{Timeout: 5 * time.Second}
	server, err := d.DialContext(p.w.ctx, "tcp", p.target)
	if err != nil {
		reset(client)
		return
	}
	c := &pconn{p: p, client: client, server: server, done: make(chan struct{})}
	p.mu.Lock()
	if p.closed || p.ln != ln { // refused since it was accepted
		p.mu.Unlock()
		c.shut(true)
		return
	}
	p.conns[c] = struct{}{}
	p.mu.Unlock()
	c.run()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// close is the proxy's part of World.Close.
func (p *proxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.shut(true)
	}
}

// pconn is one proxied connection.
type pconn struct {
	p              *proxy
	client, server net.Conn
	once           sync.Once
	done           chan struct{} // closed when the connection is shut
	lost           atomic.Bool   // it carried bytes under a dropping condition
}

// shut closes both sides, with a reset (RST) if rst.
func (c *pconn) shut(rst bool) {
	c.once.Do(func() {
		close(c.done)
		if rst {
			reset(c.client)
			reset(c.server)
		} else {
			c.client.Close()
			c.server.Close()
		}
	})
}

func (c *pconn) run() {
	p := c.p
	up := &pipe{c: c, src: c.client, dst: c.server, from: p.from.name, to: p.to.name}
	down := &pipe{c: c, src: c.server, dst: c.client, from: p.to.name, to: p.from.name}
	var wg sync.WaitGroup
	for _, d := range []*pipe{up, down} {
		d.chunks, d.ended = make(chan chunk, 16), make(chan struct{})
		wg.Add(2)
		go func() { defer wg.Done(); d.read() }()
		go func() { defer wg.Done(); d.write() }()
	}
	wg.Wait()
	c.shut(false)
}

// pipe is one direction of a proxied connection: bytes from → to.
type pipe struct {
	c        *pconn
	src, dst net.Conn
	from, to string
	chunks   chan chunk
	ended    chan struct{} // closed when the reader stops
	clean    bool          // the reader stopped at EOF (set before ended closes)
}

type chunk struct {
	data []byte
	due  time.Time
}

const chunkSize = 32 << 10

func (d *pipe) read() {
	defer close(d.ended)
	defer close(d.chunks)
	buf := make([]byte, chunkSize)
	for {
		k, err := d.src.Read(buf)
		if k > 0 {
			delay, lose := d.c.p.w.net.draw(d.from, d.to)
			if lose {
				d.c.shut(true)
				return
			}
			select {
			case d.chunks <- chunk{slices.Clone(buf[:k]), time.Now().Add(delay)}:
			case <-d.c.done:
				return
			}
		}
		if err != nil {
			d.clean = err == io.EOF
			return
		}
	}
}

func (d *pipe) write() {
	for ch := range d.chunks {
		if !d.pass() {
			return
		}
		if wait := time.Until(ch.due); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-d.c.done:
				t.Stop()
				return
			}
		}
		if _, err := d.dst.Write(ch.data); err != nil {
			d.c.shut(true)
			return
		}
	}
	select {
	case <-d.c.done:
		return
	default:
	}
	if !d.clean {
		d.c.shut(true) // the sender reset: pass it on
		return
	}
	if d.pass() {
		closeWrite(d.dst) // pass the sender's FIN on
	}
}

// pass waits while the direction is stalled and reports whether the
// connection may carry on; a connection that carried bytes under a
// dropping condition is reset instead.
func (d *pipe) pass() bool {
	ns := &d.c.p.w.net
	ended := d.ended
	for {
		st := ns.flow(d.c.p, d.from, d.to)
		if !st.stall {
			break
		}
		if st.drop {
			d.c.lost.Store(true)
		}
		select {
		case <-st.changed:
		case <-d.c.done:
			return false
		case <-ended:
			// The sender gave up; if what it sent is lost anyway, so is
			// the connection, now.
			ended = nil
			if d.c.lost.Load() {
				d.c.shut(true)
				return false
			}
		}
	}
	if d.c.lost.Load() {
		d.c.shut(true)
		return false
	}
	return true
}

// reset closes c with an RST rather than a FIN, as a crashed peer's kernel
// would.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}
