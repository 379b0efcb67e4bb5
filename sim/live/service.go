package live

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// ServiceStats counts what a service saw.
type ServiceStats struct {
	sim.ServiceCounts
	Corrupt int64 // bodies that did not decode (answered 400), not in Arrived
}

// service is a node's HTTP server with the queueing model in front of its
// handler: Workers served at once (a semaphore), up to Queue waiting (FIFO:
// blocked senders on a channel are served in order), the rest rejected.
type service struct {
	n    *Node
	spec sim.ServiceSpec
	srv  *http.Server
	addr string // the server's own address; callers dial proxies
	sem  chan struct{}

	rngMu sync.Mutex
	rng   *rand.Rand

	mu      sync.Mutex
	slow    float64 // product of slowdown factors in force
	waiting int
	stats   ServiceStats
}

// Serve makes the node called name a service: an HTTP server on its own
// 127.0.0.1 port, reached through per-caller proxies. A node serves at
// most one spec.
func (w *World) Serve(name string, spec sim.ServiceSpec) (*Node, error) {
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	if name == sim.BrokerNode {
		return nil, fmt.Errorf("service %s: the name is the broker's", name)
	}
	n := w.Node(name)
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", name, err)
	}
	s := &service{n: n, spec: spec, addr: ln.Addr().String(), sem: make(chan struct{}, spec.Workers),
		rng: w.streams.Stream(sim.ServiceStream(name)), slow: 1}
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
		BaseContext:       func(net.Listener) context.Context { return w.ctx },
	}
	w.mu.Lock()
	switch {
	case w.closed:
		err = errWorldClosed
	case n.svc != nil:
		err = fmt.Errorf("service %s: already serving", name)
	default:
		n.svc = s
	}
	w.mu.Unlock()
	if err != nil {
		ln.Close()
		return nil, err
	}
	if !w.spawn(func() { s.srv.Serve(ln) }) {
		ln.Close()
		return nil, errWorldClosed
	}
	return n, nil
}

// Stats returns the service's counters; the zero value for a node that
// serves nothing.
func (n *Node) Stats() ServiceStats {
	if n.svc == nil {
		return ServiceStats{}
	}
	n.svc.mu.Lock()
	defer n.svc.mu.Unlock()
	return n.svc.stats
}

// ResetPeaks starts MaxQueue and MaxInSystem afresh, as at the end of a
// warm-up.
func (n *Node) ResetPeaks() {
	if s := n.svc; s != nil {
		s.mu.Lock()
		s.stats.MaxQueue = s.waiting
		s.stats.MaxInSystem = s.waiting + len(s.sem)
		s.mu.Unlock()
	}
}

func (s *service) close() { s.srv.Close() }

// work draws a service time, scaled by the slowdowns in force.
func (s *service) work() time.Duration {
	s.rngMu.Lock()
	d := s.spec.ServiceTime.Sample(s.rng)
	s.rngMu.Unlock()
	s.mu.Lock()
	slow := s.slow
	s.mu.Unlock()
	if slow != 1 {
		d = time.Duration(float64(d) * slow)
	}
	return d
}

// admit takes a worker, waiting in the queue if there is room; it reports
// false if the call is rejected, and an error if the node went down while
// it waited.
func (s *service) admit(life context.Context) (bool, error) {
	select {
	case s.sem <- struct{}{}:
		s.mu.Lock()
		s.stats.MaxInSystem = max(s.stats.MaxInSystem, len(s.sem)+s.waiting)
		s.mu.Unlock()
		return true, nil
	default:
	}
	s.mu.Lock()
	if s.spec.Queue == sim.NoQueue || (s.spec.Queue > 0 && s.waiting >= s.spec.Queue) {
		s.stats.Rejected++
		s.mu.Unlock()
		return false, nil
	}
	s.waiting++
	s.stats.MaxQueue = max(s.stats.MaxQueue, s.waiting)
	s.stats.MaxInSystem = max(s.stats.MaxInSystem, len(s.sem)+s.waiting)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.waiting--
		s.mu.Unlock()
	}()
	select {
	case s.sem <- struct{}{}:
		return true, nil
	case <-life.Done():
		return false, life.Err()
	}
}

// ServeHTTP serves one call: decode, admit, run the handler holding the
// node's turn, answer.
func (s *service) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := s.n.w
	if !w.enter() {
		answer(rw, http.StatusServiceUnavailable, answerMsg{Code: codeUnavailable, Msg: "world closed"})
		return
	}
	defer w.exit()
	method, ok := strings.CutPrefix(r.URL.Path, "/call/")
	body, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if err != nil && !errors.As(err, &tooBig) {
		return // the connection broke: nobody to answer
	}
	var from string
	var req any
	switch {
	case r.Method != http.MethodPost || !ok || method == "":
		err = fmt.Errorf("want POST /call/<method>, got %s %s", r.Method, r.URL.Path)
	case err == nil:
		from, req, err = decodeCall(body)
	}
	if err != nil {
		w.stats.corruptBodies.Add(1)
		s.mu.Lock()
		s.stats.Corrupt++
		s.mu.Unlock()
		answer(rw, http.StatusBadRequest, answerMsg{Code: codeCorrupt, Msg: err.Error()})
		return
	}

	s.n.mu.Lock()
	life := s.n.life
	s.n.mu.Unlock()
	if life.Err() != nil {
		s.unreached(false)
		answer(rw, http.StatusServiceUnavailable, answerMsg{Code: codeUnavailable, Msg: s.n.name + " is down"})
		return
	}
	arrived := time.Now()
	s.mu.Lock()
	s.stats.Arrived++
	s.mu.Unlock()
	admitted, err := s.admit(life)
	switch {
	case err != nil:
		s.lost(rw)
		return
	case !admitted:
		answer(rw, http.StatusTooManyRequests, answerMsg{Code: codeRejected, Msg: sim.ErrRejected.Error()})
		return
	}
	defer func() { <-s.sem }()

	work := s.work()
	var resp any
	if s.spec.Handler == nil {
		t := time.NewTimer(work)
		select {
		case <-t.C:
		case <-life.Done():
		}
		t.Stop()
	} else {
		resp, err = s.handle(life, sim.Request{From: from, Method: method, Body: req, Work: work})
	}
	if life.Err() != nil {
		s.lost(rw)
		return
	}
	var a answerMsg
	status := http.StatusOK
	if err != nil {
		a, status = answerMsg{Code: codeRemote, Msg: err.Error()}, http.StatusInternalServerError
	} else if a.Type, a.Body, err = encodeValue(resp); err != nil {
		a, status = answerMsg{Code: codeRemote, Msg: err.Error()}, http.StatusInternalServerError
	}
	s.mu.Lock()
	s.stats.Completed++
	s.stats.Sojourn += time.Since(arrived)
	s.mu.Unlock()
	answer(rw, status, a)
}

// unreached counts a call that arrived while the node was down: refused,
// or swallowed.
func (s *service) unreached(swallowed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Arrived++
	if swallowed {
		s.stats.Swallowed++
	} else {
		s.stats.Refused++
	}
}

// lost answers a call the node dropped by going down; in practice its
// proxies have reset the caller's connection already.
func (s *service) lost(rw http.ResponseWriter) {
	s.mu.Lock()
	s.stats.Lost++
	s.mu.Unlock()
	answer(rw, http.StatusServiceUnavailable, answerMsg{Code: codeUnavailable, Msg: "lost: " + s.n.name + " went down"})
}

// handle runs the handler holding the node's turn. A panic is answered as
// a remote error and counted, never a crash of the world.
func (s *service) handle(life context.Context, req sim.Request) (resp any, err error) {
	n := s.n
	n.turn.Lock()
	defer n.turn.Unlock()
	defer func() {
		if r := recover(); r != nil {
			n.w.stats.panics.Add(1)
			resp, err = nil, fmt.Errorf("handler panicked: %v", r)
		}
	}()
	return s.spec.Handler(context.WithValue(life, turnKey{}, n), req)
}

func answer(rw http.ResponseWriter, status int, a answerMsg) {
	rw.Header().Set("Content-Type", "application/msgpack")
	rw.WriteHeader(status)
	rw.Write(encodeAnswer(a))
}

// Call sends a request to the service called to, through this node's
// proxy for the link, and waits for the answer: its ctx deadline gives
// context.DeadlineExceeded, a refused or reset connection
// sim.ErrUnavailable, a full queue sim.ErrRejected, a handler's error a
// *sim.RemoteError, an answer that does not decode ErrCorrupt. Calling a
// node that serves nothing, or with a body of an unregistered type, is a
// harness bug and panics.
func (n *Node) Call(ctx context.Context, to, method string, body any) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p := n.w.serviceProxy(n, to)
	payload, err := encodeCall(n.name, body)
	if err != nil {
		panic(err)
	}
	if p == nil {
		return nil, fmt.Errorf("%w: %s: %v", sim.ErrUnavailable, to, errWorldClosed)
	}
	if down, swallowing := p.to.state(); down && p.to.svc != nil {
		p.to.svc.unreached(swallowing) // its proxy refuses the call or holds it
	}
	resume := n.yield(ctx)
	defer resume()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+p.Addr()+"/call/"+method, bytes.NewReader(payload))
	if err != nil {
		panic(err) // our own URL
	}
	req.Header.Set("Content-Type", "application/msgpack")
	resp, err := n.w.client.Do(req)
	if err != nil {
		return nil, n.callFailed(ctx, to, err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, n.callFailed(ctx, to, err)
	}
	// An answer arriving as the deadline passes is too late, as in the
	// virtual world.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var a answerMsg
	if err := decodeEnvelope(data, &a); err != nil {
		n.w.stats.corruptAnswers.Add(1)
		return nil, fmt.Errorf("%s.%s: %w: %v", to, method, ErrCorrupt, err)
	}
	switch a.Code {
	case codeOK:
		v, err := decodeValue(a.Type, a.Body)
		if err != nil {
			n.w.stats.corruptAnswers.Add(1)
			return nil, fmt.Errorf("%s.%s: %w: %v", to, method, ErrCorrupt, err)
		}
		return v, nil
	case codeUnavailable:
		return nil, fmt.Errorf("%w: %s: %s", sim.ErrUnavailable, to, a.Msg)
	case codeRejected:
		return nil, sim.ErrRejected
	case codeCorrupt:
		return nil, &sim.RemoteError{Service: to, Msg: "could not decode the call: " + a.Msg}
	default:
		return nil, &sim.RemoteError{Service: to, Msg: a.Msg}
	}
}

// callFailed maps a transport error: the ctx's own error if it is done,
// else the callee is unavailable (refused, reset, closed).
func (n *Node) callFailed(ctx context.Context, to string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("%w: %s: %v", sim.ErrUnavailable, to, err)
}
