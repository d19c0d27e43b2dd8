package simtest

import (
	"slices"
	"sync"
)

// Queue is the bookkeeping of a simulator's replayer: the recordings queued for the
// current scenario, answered in order, the names of those served, and those a scenario
// queued but left unserved. name gives a recording's name. A Queue is safe for
// concurrent use.
type Queue[F any] struct {
	name func(F) string

	mu       sync.Mutex
	pending  []F
	served   map[string]bool
	unserved []string
}

// NewQueue returns an empty Queue whose recordings are named by name.
func NewQueue[F any](name func(F) string) *Queue[F] {
	return &Queue[F]{name: name, served: map[string]bool{}}
}

// Set queues fs as the answers to the next requests, replacing what the previous
// scenario left unserved (which is noted).
func (q *Queue[F]) Set(fs []F) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, f := range q.pending {
		q.unserved = append(q.unserved, q.name(f))
	}
	q.pending = fs
}

// Next takes the next queued recording and notes it served; ok is false when none is
// left.
func (q *Queue[F]) Next() (f F, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.pending) == 0 {
		return f, false
	}
	f = q.pending[0]
	q.pending = q.pending[1:]
	q.served[q.name(f)] = true
	return f, true
}

// Served returns the names of the recordings served so far, sorted.
func (q *Queue[F]) Served() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	names := make([]string, 0, len(q.served))
	for name := range q.served {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Left returns the names of the recordings queued but never served: those earlier
// scenarios left, then those still queued.
func (q *Queue[F]) Left() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	left := slices.Clone(q.unserved)
	for _, f := range q.pending {
		left = append(left, q.name(f))
	}
	return left
}
