package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Env is the world as one node (a service, or the workload driver) sees it.
// Strategy code blocks only through Env and never touches time.Now,
// time.Sleep, go statements or sync's blocking primitives: in the virtual
// world those would escape virtual time and break determinism.
//
// Contexts: derive deadlines and cancellation with WithTimeout and
// WithCancel, not the standard library's (which run on the wall clock).
// context.WithValue on top of them is fine. Operations that block return
// ctx.Err() once ctx is done.
type Env interface {
	// Name is this node's name; calls and records are sent from it.
	Name() string
	// Now is the time since the world started.
	Now() time.Duration
	// Sleep blocks for d, or until ctx is done (returning its error).
	Sleep(ctx context.Context, d time.Duration) error
	// WithTimeout returns a child of parent that is done d from now.
	WithTimeout(parent context.Context, d time.Duration) (context.Context, context.CancelFunc)
	// WithCancel returns a child of parent that is done when cancel is called.
	WithCancel(parent context.Context) (context.Context, context.CancelFunc)
	// Go starts fn as a new process of this node. Its ctx is done when the
	// node goes down; in the virtual world the process is also stopped there
	// (a crash), so code after a blocking call may simply never run.
	Go(name string, fn func(ctx context.Context))
	// Group starts a group of processes that Wait for together, shaped like
	// errgroup.WithContext: the returned ctx is cancelled by the first error.
	Group(ctx context.Context) (Group, context.Context)
	// Call sends a request to the named service and waits for its response,
	// a timeout (context.DeadlineExceeded) or a failure: ErrUnavailable,
	// ErrRejected, or a *RemoteError carrying the handler's error.
	Call(ctx context.Context, to, method string, body any) (any, error)
	// Publish appends a record to topic, to the partition its key hashes to.
	Publish(ctx context.Context, topic, key string, value []byte) error
	// Subscribe joins consumer group on topic.
	Subscribe(topic, group string) (Consumer, error)
	// Store is this node's durable key-value store; it survives the node's
	// crashes.
	Store() Store
	// Rand returns this node's random stream for a concern, the same stream
	// for the same name. Not safe for concurrent use.
	Rand(concern string) *rand.Rand
}

// Hosts is a world's nodes as strategies deploy into them; each world
// provides one.
type Hosts interface {
	// Node returns the node called name, creating it on first use.
	Node(name string) Env
	// Serve makes the node called name a service.
	Serve(name string, spec ServiceSpec) error
	// OnStart runs fn as a process of the node now and again whenever the
	// node comes back from a crash: consumers, relays, loops.
	OnStart(node, name string, fn func(ctx context.Context))
}

// Group waits for a collection of processes, like errgroup.Group.
type Group interface {
	// Go starts fn as a process of the group.
	Go(fn func(ctx context.Context) error)
	// Wait blocks until every process of the group has returned, and
	// returns the first non-nil error.
	Wait() error
}

// Request is what a service handler receives.
type Request struct {
	From   string // the calling node
	Method string
	Body   any
	// Work is the service time drawn for this request (already scaled by
	// any slowdown fault). The handler spends it, with Env.Sleep, where the
	// real service would do its work: before, after, or alongside calls of
	// its own.
	Work time.Duration
}

// Handler serves requests. Its returned error reaches the caller as a
// *RemoteError.
type Handler func(ctx context.Context, req Request) (any, error)

// NoQueue, as ServiceSpec.Queue, gives a service no waiting room.
const NoQueue = -1

// ServiceSpec describes a service: a bounded pool of workers in front of
// a bounded FIFO queue. A request that finds every worker busy and the
// queue full is rejected (ErrRejected).
type ServiceSpec struct {
	Workers int // requests served at once; ≥ 1
	// Queue is how many requests may wait for a worker: 0 means no limit,
	// NoQueue means none may wait (a loss system).
	Queue int
	// ServiceTime is drawn per request and handed to the handler as
	// Request.Work.
	ServiceTime DurationDist
	// Handler serves requests; nil means the request holds a worker for its
	// Work and returns a nil body.
	Handler Handler
}

// Validate reports a spec no world can run.
func (s ServiceSpec) Validate() error {
	switch {
	case s.Workers < 1:
		return fmt.Errorf("workers must be ≥ 1, got %d", s.Workers)
	case s.Queue < NoQueue:
		return fmt.Errorf("queue must be ≥ 0 (0 = unbounded) or NoQueue, got %d", s.Queue)
	}
	return nil
}

// Record is one broker record as a consumer receives it.
type Record struct {
	Topic     string
	Partition int
	Offset    int64
	Key       string
	Value     []byte
	Published time.Duration // when the broker appended it, world time
}

// Consumer is one member of a consumer group.
type Consumer interface {
	// Poll blocks until records are available for the partitions this
	// member owns, or until ctx is done.
	Poll(ctx context.Context) ([]Record, error)
	// Commit commits the offsets of every record polled so far.
	Commit(ctx context.Context) error
	// Close commits and leaves the group.
	Close()
}

// Failures every world reports the same way.
var (
	// ErrUnavailable: the callee is down and refused the request.
	ErrUnavailable = errors.New("service unavailable")
	// ErrRejected: every worker was busy and the queue was full.
	ErrRejected = errors.New("rejected: queue full")
	// ErrNoBroker: the world was built without a broker.
	ErrNoBroker = errors.New("no broker in this world")
)

// RemoteError is an error a handler returned, as its caller sees it.
type RemoteError struct {
	Service string
	Msg     string
}

func (e *RemoteError) Error() string { return e.Service + ": " + e.Msg }
