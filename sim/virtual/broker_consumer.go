package virtual

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/sharebench/sharebench/sim"
)

// The consumer side of the broker (broker.go): what a node holds to
// publish and to consume. Positions live here, with the node, and the
// broker only sees them in fetch and commit requests, as a Kafka client's
// do.

// Publish appends a record to topic through the broker and waits for its
// acknowledgement.
func (n *Node) Publish(ctx context.Context, topicName, key string, value []byte) error {
	if n.w.broker == nil {
		return sim.ErrNoBroker
	}
	_, err := n.Call(ctx, sim.BrokerNode, "publish", publishReq{Topic: topicName, Key: key, Value: value})
	return err
}

// Subscribe returns a member of group on topic; it joins at its first
// Poll.
func (n *Node) Subscribe(topicName, group string) (sim.Consumer, error) {
	b := n.w.broker
	if b == nil {
		return nil, sim.ErrNoBroker
	}
	t := b.topic(topicName)
	return &consumer{n: n, b: b, g: b.group(t, group), lastCommit: n.w.q.now}, nil
}

// consumer is a group member as the consuming node holds it: its positions
// live here and die with the node, as a real client's do.
type consumer struct {
	n          *Node
	b          *broker
	g          *consumerGroup
	member     int64
	generation int64
	positions  []partPos // next offset to fetch, per assigned partition
	polled     []partPos // one past what polls have returned: what a commit commits
	lastCommit time.Duration
	dups       []sim.Record // duplicates due in the next poll (duplicate fault)
	closed     bool
}

// fetchBackoff is how long a consumer waits after a failed fetch.
const fetchBackoff = 100 * time.Millisecond

func (c *consumer) Poll(ctx context.Context) ([]sim.Record, error) {
	if c.closed {
		return nil, fmt.Errorf("poll on a closed consumer")
	}
	n := c.n
	if len(c.dups) > 0 {
		recs := c.dups
		c.dups = nil
		c.count(recs)
		return recs, nil
	}
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n.Now()-c.lastCommit >= c.b.spec.CommitInterval {
			c.commitInBackground()
		}
		fctx, cancel := n.WithTimeout(ctx, c.b.spec.MaxWait+time.Second)
		body, err := n.Call(fctx, sim.BrokerNode, "fetch", fetchReq{
			Topic: c.g.t.name, Group: c.g.name, Member: c.member, Generation: c.generation, Positions: c.positions,
		})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err := n.Sleep(ctx, fetchBackoff); err != nil {
				return nil, err
			}
			continue
		}
		resp := body.(fetchResp)
		if resp.Member != c.member {
			c.polled = nil // a new member commits nothing of the old one's
		} else {
			// Keep only the partitions this member still owns.
			c.polled = slices.DeleteFunc(c.polled, func(pp partPos) bool {
				return !slices.ContainsFunc(resp.Next, func(q partPos) bool { return q.Partition == pp.Partition })
			})
		}
		c.member, c.generation, c.positions = resp.Member, resp.Generation, resp.Next
		if len(resp.Records) == 0 {
			continue
		}
		c.polled = resp.Next
		c.count(resp.Records)
		for _, d := range n.dups {
			for _, r := range resp.Records {
				if d.rng.Float64() < d.p {
					c.dups = append(c.dups, r)
				}
			}
		}
		return resp.Records, nil
	}
}

// count keeps the group's delivery counters.
func (c *consumer) count(recs []sim.Record) {
	g := c.g
	for _, r := range recs {
		if r.Offset < g.delivered[r.Partition] {
			g.stats.Redelivered++
			continue
		}
		g.stats.Delivered++
		g.delivered[r.Partition] = r.Offset + 1
	}
}

func (c *consumer) commitRequest() commitReq {
	return commitReq{Topic: c.g.t.name, Group: c.g.name, Member: c.member, Generation: c.generation, Offsets: slices.Clone(c.polled)}
}

// commitInBackground commits what was polled without holding up the poll,
// as auto-commit does.
func (c *consumer) commitInBackground() {
	c.lastCommit = c.n.Now()
	if len(c.polled) == 0 {
		return
	}
	req := c.commitRequest()
	c.n.Go("commit", func(ctx context.Context) {
		ctx, cancel := c.n.WithTimeout(ctx, time.Second)
		defer cancel()
		c.n.Call(ctx, sim.BrokerNode, "commit", req)
	})
}

func (c *consumer) Commit(ctx context.Context) error {
	c.lastCommit = c.n.Now()
	if len(c.polled) == 0 {
		return nil
	}
	_, err := c.n.Call(ctx, sim.BrokerNode, "commit", c.commitRequest())
	return err
}

// Close commits what was polled and leaves the group, each with a short
// deadline; the node stays responsible for calling it from a process.
func (c *consumer) Close() {
	if c.closed {
		return
	}
	c.closed = true
	n := c.n
	ctx, cancel := n.WithTimeout(context.Background(), time.Second)
	defer cancel()
	c.Commit(ctx)
	if c.member != 0 {
		n.Call(ctx, sim.BrokerNode, "leave", leaveReq{Topic: c.g.t.name, Group: c.g.name, Member: c.member})
	}
}
