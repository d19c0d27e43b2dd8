package bedrocktest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/internal/simtest"
)

// Fixture is a recorded Bedrock exchange, in the format of the fixtures under
// testdata/fixtures (see its README.md): the request as sent, the response's status,
// headers and body, and for streams the raw body chunks as received. Its JSON form is
// that format. Its fields are those of the format shared with openaitest: Name (not
// stored) identifies the fixture in messages, e.g. its file name; CapturedAt, Chunks,
// ModelSpec ("amazon_bedrock:<model id>"), Provider ("amazon_bedrock"), Request and
// Response are stored.
type Fixture simtest.Fixture

// FixtureRequest is the recorded request: Body, CanonicalJSON (the body decoded: what
// replays compare requests with), Headers, Method and URL.
type FixtureRequest = simtest.FixtureRequest

// FixtureResponse is the recorded response: Body (the decoded JSON body, null for a
// stream), Headers and Status.
type FixtureResponse = simtest.FixtureResponse

// FixtureBytes holds raw bytes, stored base64-encoded as {"b64": …}.
type FixtureBytes = simtest.FixtureBytes

// Header is a recorded header set with lower-case names. In JSON a value is a string or
// a list of strings; it is written as a string when it has one value.
type Header = simtest.Header

// LoadFixture reads and checks the fixture file name in fsys. Use [Fixtures] for the
// fixtures shipped with this package, os.DirFS for others.
func LoadFixture(fsys fs.FS, name string) (*Fixture, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: load fixture: %w", err)
	}
	f, err := parseFixture(b)
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: load fixture %s: %w", name, errors.Unwrap(err))
	}
	f.Name = name
	return f, nil
}

// parseFixture decodes a fixture and checks it: the URL names a model and a known
// operation, the status is set, the recorded body and canonical_json agree, and the
// response has a body or, for a successful stream, chunks.
func parseFixture(data []byte) (*Fixture, error) {
	var f Fixture
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("bedrocktest: parse fixture: %w", err)
	}
	if err := f.check(); err != nil {
		return nil, fmt.Errorf("bedrocktest: parse fixture: %w", err)
	}
	return &f, nil
}

func (f *Fixture) check() error {
	if _, _, err := splitModelURL(f.Request.URL); err != nil {
		return err
	}
	if f.Response.Status == 0 {
		return errors.New("response.status is missing")
	}
	if len(bytes.TrimSpace(f.Request.CanonicalJSON)) == 0 {
		return errors.New("request.canonical_json is missing")
	}
	if len(f.Request.Body.B64) > 0 {
		ms, err := CompareJSON(f.Request.CanonicalJSON, f.Request.Body.B64, nil)
		if err != nil {
			return fmt.Errorf("request body: %w", err)
		}
		if len(ms) > 0 {
			return fmt.Errorf("request.body.b64 and request.canonical_json differ: %s", ms[0])
		}
	}
	if f.Operation().streaming() && f.Response.Status == 200 {
		if len(f.Chunks) == 0 {
			return errors.New("a successful stream needs chunks")
		}
	} else if !json.Valid(f.Response.Body) || string(f.Response.Body) == "null" {
		return errors.New("response.body is missing or not JSON")
	}
	return nil
}

// splitModelURL returns the model id (unescaped) and the operation of a
// …/model/{modelId}/{operation} URL.
func splitModelURL(raw string) (string, Operation, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("request.url: %w", err)
	}
	p := u.EscapedPath()
	i := strings.Index(p, "/model/")
	j := strings.LastIndex(p, "/")
	if i < 0 || j <= i+len("/model/") {
		return "", "", fmt.Errorf("request.url %q is not …/model/{modelId}/{operation}", raw)
	}
	op := Operation(p[j+1:])
	switch op {
	case OpConverse, OpConverseStream, OpInvoke, OpInvokeStream:
	default:
		return "", "", fmt.Errorf("request.url %q: unknown operation %q", raw, op)
	}
	model, err := url.PathUnescape(p[i+len("/model/") : j])
	if err != nil {
		return "", "", fmt.Errorf("request.url %q: model id: %w", raw, err)
	}
	return model, op, nil
}

// ModelID returns the model id the recorded request was sent to.
func (f *Fixture) ModelID() string {
	m, _, _ := splitModelURL(f.Request.URL)
	return m
}

// Operation returns the recorded request's operation.
func (f *Fixture) Operation() Operation {
	_, op, _ := splitModelURL(f.Request.URL)
	return op
}

// Body returns the body of the recorded stream's chunks joined, or the recorded JSON
// body.
func (f *Fixture) Body() []byte {
	if len(f.Chunks) == 0 {
		return compactJSON(f.Response.Body)
	}
	return (*simtest.Fixture)(f).StreamBody()
}

// marshal returns the fixture in its file format (its JSON form), indented.
func (f *Fixture) marshal() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("bedrocktest: marshal fixture %s: %w", f.Name, err)
	}
	return append(b, '\n'), nil
}

// WriteFile writes the fixture to path.
func (f *Fixture) WriteFile(path string) error {
	b, err := f.marshal()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("bedrocktest: write fixture: %w", err)
	}
	return nil
}

func compactJSON(b json.RawMessage) []byte {
	if len(b) == 0 || string(b) == "null" {
		return nil
	}
	out, err := jsonx.Compact(b)
	if err != nil {
		return b
	}
	return out
}

// frames splits the recorded stream body into frames by their length prelude.
func (f *Fixture) frames() ([][]byte, error) {
	body := f.Body()
	var out [][]byte
	for off := 0; off < len(body); {
		if len(body)-off < 4 {
			return nil, fmt.Errorf("bedrocktest: fixture %s: stream ends inside a frame prelude at byte %d", f.Name, off)
		}
		n := int(binary.BigEndian.Uint32(body[off:]))
		if n < 16 || off+n > len(body) {
			return nil, fmt.Errorf("bedrocktest: fixture %s: frame at byte %d claims %d bytes, %d left", f.Name, off, n, len(body)-off)
		}
		out = append(out, body[off:off+n])
		off += n
	}
	return out, nil
}

// ReplayOptions configures how a [Fixture] reply checks the request it answers: Allow
// lists intended differences between the request sent and the recorded one; Strict
// answers a request that differs from the recording (beyond Allow) with a 400
// ValidationException listing the differences, instead of the recorded response. The
// zero value compares strictly and answers even a mismatching request.
type ReplayOptions = simtest.ReplayOptions

// Reply returns a reply that replays f: the recorded status, headers (except hop-by-hop
// ones and Date) and body, and for a stream the recorded chunks as they were received.
// The request it answers is compared with the recorded one: operation, model id and body
// (semantically, as parsed JSON, with [CompareJSON]); differences beyond opts.Allow are
// kept in [Server.Mismatches] and reported by [Server.Check]. Chunked, Pace, Delay,
// WithRequestID and the stream faults apply as to other replies; Chunked and the faults
// re-split the recorded body into frames. opts may be nil.
func (f *Fixture) Reply(opts *ReplayOptions) ServerReply {
	r := newReply(kindFixture)
	r.fixture = f
	r.replay = opts.Clone()
	return r
}

// hopHeaders are not replayed: net/http writes its own.
var hopHeaders = map[string]bool{
	"connection": true, "content-length": true, "date": true, "keep-alive": true,
	"transfer-encoding": true, "x-amzn-requestid": true,
}

func (c *call) serveFixture(reply *ServerReply) {
	f := reply.fixture
	name := f.Name
	if name == "" {
		name = f.Request.URL
	}
	fields := []simtest.Field{
		{Path: "operation", Want: string(f.Operation()), Got: string(c.op)},
		{Path: "model", Want: f.ModelID(), Got: c.req.Model},
	}
	ms, err := simtest.CompareRequest(name, fields, f.Request.CanonicalJSON, c.req.Body, reply.replay.Allow)
	if err != nil {
		c.fail(fmt.Errorf("replay %s: %w", name, err))
		return
	}
	c.s.found.Add(ms, simtest.CheckAllow("bedrocktest", name, reply.replay.Allow)...)
	for _, m := range ms {
		c.s.logf("bedrocktest: #%d: %s", c.seq, m)
	}

	if reply.replay.Strict && len(ms) > 0 {
		c.writeError(400, ValidationException, "bedrocktest: "+simtest.DiffersText(ms))
		return
	}

	header := http.Header{}
	simtest.CopyHeader(header, f.Response.Headers, hopHeaders)
	if f.Response.Status != 200 || len(f.Chunks) == 0 {
		c.writeBody(reply, f.Response.Status, header, f.Body())
		return
	}
	if reply.chunk > 0 || reply.fault.kind != faultNone {
		frames, err := reply.streamFrames()
		if err != nil {
			c.fail(err)
			return
		}
		c.writeStream(reply, header, frames)
		return
	}
	chunks := make([][]byte, len(f.Chunks))
	for i, ch := range f.Chunks {
		chunks[i] = ch.B64
	}
	c.writeStream(reply, header, chunks)
}
