package simtest

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Fixture is a recorded HTTP exchange, in the format of the recordings llmkit ships
// (recorded by the ReqLLM project): the request as sent, the response's status, headers
// and body, and for streams the raw body chunks as received. Its JSON form is that
// format.
type Fixture struct {
	// Name identifies the fixture in messages, e.g. its file name; it is not stored.
	Name       string          `json:"-"`
	CapturedAt string          `json:"captured_at,omitempty"`
	Chunks     []FixtureBytes  `json:"chunks,omitempty"`
	ModelSpec  string          `json:"model_spec,omitempty"`
	Provider   string          `json:"provider,omitempty"`
	Request    FixtureRequest  `json:"request"`
	Response   FixtureResponse `json:"response"`
}

// FixtureRequest is the recorded request.
type FixtureRequest struct {
	Body FixtureBytes `json:"body"`
	// CanonicalJSON is the body decoded: what replays compare requests with.
	CanonicalJSON json.RawMessage `json:"canonical_json"`
	Headers       Header          `json:"headers"`
	Method        string          `json:"method"`
	URL           string          `json:"url"`
}

// FixtureResponse is the recorded response. Body is the decoded JSON body, null for a
// stream.
type FixtureResponse struct {
	Body    json.RawMessage `json:"body"`
	Headers Header          `json:"headers"`
	Status  int             `json:"status"`
}

// FixtureBytes holds raw bytes, stored base64-encoded as {"b64": …}.
type FixtureBytes struct {
	B64 []byte `json:"b64"`
}

// Stream reports whether the recorded response is a stream (it has chunks).
func (f *Fixture) Stream() bool { return len(f.Chunks) > 0 }

// StreamBody is the recorded stream's body: its chunks joined.
func (f *Fixture) StreamBody() []byte {
	var n int
	for _, c := range f.Chunks {
		n += len(c.B64)
	}
	out := make([]byte, 0, n)
	for _, c := range f.Chunks {
		out = append(out, c.B64...)
	}
	return out
}

// ParseFixture decodes a fixture file and checks that it has a request body and a
// response status.
func ParseFixture(b []byte) (*Fixture, error) {
	var f Fixture
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("parse fixture: %w", err)
	}
	switch {
	case len(f.Request.CanonicalJSON) == 0 && len(f.Request.Body.B64) == 0:
		return nil, fmt.Errorf("parse fixture: no request body")
	case f.Response.Status == 0:
		return nil, fmt.Errorf("parse fixture: no response status")
	}
	if len(f.Request.CanonicalJSON) == 0 {
		f.Request.CanonicalJSON = f.Request.Body.B64
	}
	// Some recordings keep a stream's body whole, as {"b64": …} in the response body,
	// rather than as chunks: read it as one chunk.
	if len(f.Chunks) == 0 && len(f.Response.Body) > 0 && f.Response.Body[0] == '{' {
		var whole struct {
			B64 []byte `json:"b64"`
		}
		if json.Unmarshal(f.Response.Body, &whole) == nil && len(whole.B64) > 0 {
			f.Chunks = []FixtureBytes{{B64: whole.B64}}
			f.Response.Body = nil
		}
	}
	return &f, nil
}

// Header is a recorded header set with lower-case names. In JSON a value is a string or
// a list of strings; it is written as a string when it has one value.
type Header map[string][]string

// UnmarshalJSON accepts values given as strings or lists of strings.
func (h *Header) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*h = make(Header, len(raw))
	for k, v := range raw {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("header %s: want a string or a list of strings, got %s", k, v)
			}
			list = []string{s}
		}
		(*h)[strings.ToLower(k)] = list
	}
	return nil
}

// MarshalJSON writes one-value headers as strings and others as lists, names sorted.
func (h Header) MarshalJSON() ([]byte, error) {
	m := make(map[string]any, len(h))
	for k, v := range h {
		if len(v) == 1 {
			m[k] = v[0]
		} else {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Get returns the first value of the header name, or "".
func (h Header) Get(name string) string {
	if v := h[strings.ToLower(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}
