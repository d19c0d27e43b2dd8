package openaitest

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"

	"github.com/llmkit/llmkit/internal/simtest"
)

//go:embed testdata/fixtures
var fixtures embed.FS

// Fixtures holds the recorded Chat Completions exchanges shipped with this package
// (OpenAI's gpt-4o and gpt-4o-mini; Groq's llama-3.3-70b-versatile, qwen3-32b and
// gpt-oss-120b), recorded by the ReqLLM project (Apache-2.0; see README.md in it): one
// folder per service and model, one file per scenario, e.g.
// "openai_gpt_4o/basic.json".
var Fixtures fs.FS = mustSub(fixtures, "testdata/fixtures")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Fixture is a recorded exchange (see [simtest.Fixture] for the format).
type Fixture struct {
	simtest.Fixture
}

// FixtureNames lists the fixture files in fsys, sorted ("openai_gpt_4o/basic.json" …).
func FixtureNames(fsys fs.FS) ([]string, error) { return simtest.JSONFiles(fsys, false) }

// LoadFixture reads the fixture file name in fsys ([Fixtures], or os.DirFS for others).
func LoadFixture(fsys fs.FS, name string) (*Fixture, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("openaitest: load fixture: %w", err)
	}
	f, err := simtest.ParseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("openaitest: %s: %w", name, err)
	}
	f.Name = name
	return &Fixture{Fixture: *f}, nil
}

// Model is the recorded request's model id.
func (f *Fixture) Model() string {
	var head struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(f.Request.CanonicalJSON, &head)
	return head.Model
}

// RequestID is the recorded answer's x-request-id.
func (f *Fixture) RequestID() string { return f.Response.Headers.Get("x-request-id") }

// ReplayOptions configures how a [Fixture] reply checks the request it answers: Allow
// lists intended differences between the request sent and the recorded one; Strict
// answers a request that differs from the recording (beyond Allow) with a 400 listing
// the differences, instead of the recorded response.
type ReplayOptions = simtest.ReplayOptions

// Reply returns a reply that replays f: the recorded status, headers (but hop-by-hop
// ones) and body, and for a stream the recorded chunks, each written and flushed as it
// was received. The request it answers is compared with the recorded one semantically
// ([simtest.CompareJSON]); differences beyond opts.Allow are kept in
// [Server.Mismatches] and reported by [Server.Check]. Stream faults apply to the
// recorded events. opts may be nil.
func (f *Fixture) Reply(opts *ReplayOptions) Reply {
	return Reply{kind: kindFixture, fixture: f, replay: opts.Clone()}
}

// hopHeaders are not replayed: net/http writes its own.
var hopHeaders = map[string]bool{
	"connection": true, "content-length": true, "date": true, "keep-alive": true,
	"transfer-encoding": true, "content-encoding": true, "set-cookie": true,
}

func (c *call) serveFixture(reply *Reply) {
	f := reply.fixture
	fields := []simtest.Field{{Path: "model", Want: f.Model(), Got: c.req.Model}}
	ms, err := simtest.CompareRequest(f.Name, fields, f.Request.CanonicalJSON, c.req.Body, reply.replay.Allow)
	if err != nil {
		c.s.problem(fmt.Errorf("openaitest: replay %s: %w", f.Name, err))
	}
	c.s.found.Add(ms, simtest.CheckAllow("openaitest", f.Name, reply.replay.Allow)...)
	if reply.replay.Strict && len(ms) > 0 {
		writeJSON(c.w, http.StatusBadRequest, errorBody("invalid_request_error", "", "openaitest: "+simtest.DiffersText(ms)))
		return
	}
	h := c.w.Header()
	simtest.CopyHeader(h, f.Response.Headers, hopHeaders)
	if !f.Stream() {
		writeJSON(c.w, f.Response.Status, f.Response.Body)
		return
	}
	if reply.fault.kind != faultNone || reply.chunk > 0 {
		c.stream(reply, dataEvents(f.StreamBody()))
		return
	}
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	c.w.WriteHeader(f.Response.Status)
	fl, _ := c.w.(http.Flusher)
	for _, ch := range f.Chunks {
		if _, err := c.w.Write(ch.B64); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
	}
}

// dataEvents splits a server-sent-events body into its data payloads.
func dataEvents(body []byte) []string {
	var out []string
	for _, ev := range strings.Split(string(body), "\n\n") {
		ev = strings.TrimSpace(ev)
		if d, ok := strings.CutPrefix(ev, "data: "); ok {
			out = append(out, d)
		} else if d, ok := strings.CutPrefix(ev, "data:"); ok {
			out = append(out, d)
		}
	}
	return out
}
