package sim

import (
	"fmt"
	"time"
)

// BrokerNode is the node name of the broker in every world, the name fault
// schedules use to cut it off or take it down.
const BrokerNode = "broker"

// BrokerSpec describes the Kafka-like broker of a world. Zero durations
// take the defaults given per field.
type BrokerSpec struct {
	Partitions int // per topic; ≥ 1
	// PublishLatency is the broker's time from receiving a record to
	// appending and acknowledging it.
	PublishLatency DurationDist
	// DeliveryLatency is the time from append until consumers can fetch the
	// record (replication, fetch batching). Records of a partition become
	// visible in offset order.
	DeliveryLatency DurationDist
	// Retention: records older than this are deleted; a consumer that had
	// not read them has lost them. 0 keeps everything.
	Retention time.Duration
	// CommitInterval is how often consumers commit the offsets of what they
	// have polled (default 5s, as Kafka clients do).
	CommitInterval time.Duration
	// SessionTimeout: a group member not heard from for this long is
	// removed and its partitions go to the others (default 10s).
	SessionTimeout time.Duration
	// MaxWait is how long a fetch waits at the broker for records before
	// returning empty (default 500ms).
	MaxWait time.Duration
	// MaxRecords caps the records one poll returns (default 500).
	MaxRecords int
}

// WithDefaults fills in the zero fields.
func (s BrokerSpec) WithDefaults() BrokerSpec {
	if s.CommitInterval == 0 {
		s.CommitInterval = 5 * time.Second
	}
	if s.SessionTimeout == 0 {
		s.SessionTimeout = 10 * time.Second
	}
	if s.MaxWait == 0 {
		s.MaxWait = 500 * time.Millisecond
	}
	if s.MaxRecords == 0 {
		s.MaxRecords = 500
	}
	return s
}

// Validate reports a spec no world can run.
func (s BrokerSpec) Validate() error {
	switch {
	case s.Partitions < 1:
		return fmt.Errorf("broker: partitions must be ≥ 1, got %d", s.Partitions)
	case s.Retention < 0 || s.CommitInterval < 0 || s.SessionTimeout < 0 || s.MaxWait < 0:
		return fmt.Errorf("broker: durations must be ≥ 0")
	case s.MaxRecords < 0:
		return fmt.Errorf("broker: max records must be ≥ 0, got %d", s.MaxRecords)
	}
	return nil
}

// KeyPartition is the partition a key goes to among n, the way Kafka's
// default partitioner places keyed records (murmur2, high bit cleared), so
// that a key lands where it would on a real cluster.
func KeyPartition(key string, n int) int {
	return int(murmur2([]byte(key))&0x7fffffff) % n
}

// murmur2 is Kafka's variant of MurmurHash2 (seed 0x9747b28c).
func murmur2(b []byte) uint32 {
	const (
		seed uint32 = 0x9747b28c
		m    uint32 = 0x5bd1e995
		r           = 24
	)
	h := seed ^ uint32(len(b))
	for len(b) >= 4 {
		k := uint32(b[3])<<24 | uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0])
		b = b[4:]
		k *= m
		k ^= k >> r
		k *= m
		h *= m
		h ^= k
	}
	switch len(b) {
	case 3:
		h ^= uint32(b[2]) << 16
		fallthrough
	case 2:
		h ^= uint32(b[1]) << 8
		fallthrough
	case 1:
		h ^= uint32(b[0])
		h *= m
	}
	h ^= h >> 13
	h *= m
	h ^= h >> 15
	return h
}

// BrokerCounts count what went through a world's broker, each with one
// meaning in every world (each world's BrokerStats is or embeds them).
type BrokerCounts struct {
	Published   int64 // records appended (for a group: to its topic)
	Delivered   int64 // records polls returned for the first time
	Redelivered int64 // records polls returned again (duplicates)
	Lost        int64 // records deleted by retention before the group read them
	MaxLag      int64 // most records a group has been behind on one partition
}
