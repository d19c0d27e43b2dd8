package conformance

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// The cancellation scenario checks that a cancelled stream leaves no goroutine behind.
// It compares the goroutines alive before the call with those alive after it, by
// goroutine id, as go.uber.org/goleak does, but only for goroutines the call started:
// the suite runs inside other programs' tests and cannot ask for a process without
// goroutines. Goroutines that other tests, running in parallel, start meanwhile would
// count too: run the suite's cancellation scenario without parallel tests.

// pooledConn marks the goroutines of an HTTP connection kept for reuse — by a client's
// pool or by a loopback server the harness runs — which belong to the transport, not
// to the call.
var pooledConn = []string{
	"net/http.(*persistConn).readLoop",
	"net/http.(*persistConn).writeLoop",
	"net/http.(*http2ClientConn).readLoop",
	"net/http.(*conn).serve",
	"net/http.(*http2serverConn).serve",
}

// goroutines returns the stack of every goroutine alive, by id.
func goroutines() map[uint64]string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	out := map[uint64]string{}
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		head, _, _ := strings.Cut(string(g), "\n")
		rest, ok := strings.CutPrefix(head, "goroutine ")
		if !ok {
			continue
		}
		idText, _, _ := strings.Cut(rest, " ")
		id, err := strconv.ParseUint(idText, 10, 64)
		if err != nil {
			continue
		}
		out[id] = string(g)
	}
	return out
}

// leaked waits, until ctx ends or for at most wait, for the goroutines started since
// before was taken to end, and returns the stacks of those still alive, pooled
// connections apart.
func leaked(ctx context.Context, before map[uint64]string, wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		var left []string
		for id, stack := range goroutines() {
			if _, ok := before[id]; ok || pooled(stack) {
				continue
			}
			left = append(left, stack)
		}
		if len(left) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return left
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func pooled(stack string) bool {
	for _, f := range pooledConn {
		if strings.Contains(stack, f) {
			return true
		}
	}
	return false
}
