package simtest

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// ReplayOptions configures how a recording's reply checks the request it answers. The
// zero value compares strictly and answers even a mismatching request.
type ReplayOptions struct {
	// Allow lists intended differences between the request sent and the recorded one.
	Allow []Allow
	// Strict answers a request that differs from the recording (beyond Allow) with a 400
	// in the protocol's error shape listing the differences, instead of the recorded
	// response.
	Strict bool
}

// Clone returns a copy of *o that shares no Allow list with it; the zero value when o
// is nil.
func (o *ReplayOptions) Clone() ReplayOptions {
	if o == nil {
		return ReplayOptions{}
	}
	c := *o
	c.Allow = slices.Clone(o.Allow)
	return c
}

// Field is a part of a request that a simulator compares with the recorded one apart
// from the body, such as the model id or operation a URL names: Path names it in a
// [Mismatch] and in an [Allow] ("model", "operation").
type Field struct {
	Path, Want, Got string
}

// CompareRequest compares a request with the recording name: first fields, then the
// body sent (got) with the recorded one (want) as parsed JSON. It returns the
// differences beyond allow, each naming the recording. An Allow of a field's path
// accepts any value there, or with Want set that value alone. err reports a body that
// cannot be compared; ms then holds the fields' differences.
func CompareRequest(name string, fields []Field, want, got []byte, allow []Allow) (ms []Mismatch, err error) {
	for _, f := range fields {
		if f.Want != f.Got && !fieldAllowed(allow, f) {
			ms = append(ms, Mismatch{Path: f.Path, Want: f.Want, Got: f.Got})
		}
	}
	body, err := CompareJSON(want, got, allow)
	ms = append(ms, body...)
	for i := range ms {
		ms[i].Fixture = name
	}
	return ms, err
}

func fieldAllowed(allow []Allow, f Field) bool {
	for _, a := range allow {
		if a.Path != f.Path {
			continue
		}
		if a.Want == nil && !a.Absent {
			return true
		}
		if a.Want != nil && string(bytes.Trim(a.Want, `" `)) == f.Got {
			return true
		}
	}
	return false
}

// DiffersText is the message of a strict replay's 400: "request differs from the
// recording: " and the mismatches, separated by "; ".
func DiffersText(ms []Mismatch) string {
	lines := make([]string, len(ms))
	for i, m := range ms {
		lines[i] = m.String()
	}
	return "request differs from the recording: " + strings.Join(lines, "; ")
}

// CopyHeader copies the recorded headers into dst, but those named in skip (lower
// case), which the simulator or net/http writes itself.
func CopyHeader(dst http.Header, recorded Header, skip map[string]bool) {
	for k, v := range recorded {
		if !skip[k] {
			dst[http.CanonicalHeaderKey(k)] = v
		}
	}
}

// Findings are what a simulator found wrong while serving: the mismatches between
// requests and the recordings that answered them, and problems (an Allow without a
// reason, a reply that could not be served). The zero value is empty and ready; it is
// safe for concurrent use.
type Findings struct {
	mu         sync.Mutex
	mismatches []Mismatch
	problems   []error
}

// Add notes mismatches and problems.
func (f *Findings) Add(ms []Mismatch, problems ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mismatches = append(f.mismatches, ms...)
	f.problems = append(f.problems, problems...)
}

// Mismatches returns the mismatches noted so far.
func (f *Findings) Mismatches() []Mismatch {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.mismatches)
}

// Err returns an error joining every problem, then every mismatch, or nil.
func (f *Findings) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	errs := slices.Clone(f.problems)
	for _, m := range f.mismatches {
		errs = append(errs, errors.New(m.String()))
	}
	return errors.Join(errs...)
}
