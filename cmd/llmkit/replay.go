package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// recordedDoer answers every request with a recorded HTTP response, in memory.
type recordedDoer struct {
	status int
	header http.Header
	body   []byte
}

func (d recordedDoer) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	h := d.header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(d.body)))
	return &http.Response{
		Status:        strconv.Itoa(d.status) + " " + http.StatusText(d.status),
		StatusCode:    d.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(d.body)),
		ContentLength: int64(len(d.body)),
		Request:       req,
	}, nil
}

// recordedResponse returns the answer recorded in f, a successful Converse
// (non-streaming) exchange, as a neutral response: the recorded bytes are decoded by
// the real SDK client (from an in-memory HTTP response, nothing is sent anywhere) and
// translated by bedrock.ParseResponse, as a live answer would be.
func recordedResponse(ctx context.Context, f *bedrocktest.Fixture) (*llm.Response, error) {
	if f.Operation() != bedrocktest.OpConverse || f.Response.Status != http.StatusOK {
		return nil, fmt.Errorf("fixture %s: want a successful converse exchange, got %s with status %d", f.Name, f.Operation(), f.Response.Status)
	}
	header := http.Header{}
	for k, vs := range f.Response.Headers {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	header.Set("Content-Type", "application/json")
	client := bedrockruntime.New(bedrockruntime.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDRECORDED", "recorded", ""),
		HTTPClient:  recordedDoer{status: f.Response.Status, header: header, body: f.Body()},
		Retryer:     aws.NopRetryer{},
	}, func(o *bedrockruntime.Options) {
		// Ignore AWS_BEARER_TOKEN_BEDROCK: nothing is sent, but the SDK would refuse a
		// bearer token without TLS.
		o.BearerAuthTokenProvider = nil
		o.AuthSchemePreference = []string{"sigv4"}
	})
	out, err := client.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(f.ModelID())})
	if err != nil {
		return nil, fmt.Errorf("fixture %s: decoding the recorded response: %w", f.Name, err)
	}
	resp, err := bedrock.ParseResponse(out)
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", f.Name, err)
	}
	return resp, nil
}

// mismatchLog collects differences between requests received and recorded ones. It is
// safe for concurrent use: the simulator's handlers add to it.
type mismatchLog struct {
	mu       sync.Mutex
	checked  int
	problems []string
}

func (l *mismatchLog) add(ms []bedrocktest.Mismatch, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checked++
	if err != nil {
		l.problems = append(l.problems, err.Error())
	}
	for _, m := range ms {
		l.problems = append(l.problems, m.String())
	}
}

func (l *mismatchLog) result() (checked int, problems []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.checked, append([]string(nil), l.problems...)
}

// compareRequest compares a request received with the one recorded in f: model id and
// body, semantically (bedrocktest.CompareJSON), apart from allow. The operation is not
// compared: a recorded Converse answer may be served to a ConverseStream request.
func compareRequest(f *bedrocktest.Fixture, req bedrocktest.Request, allow []bedrocktest.Allow) ([]bedrocktest.Mismatch, error) {
	ms, err := bedrocktest.CompareJSON(f.Request.CanonicalJSON, req.Body, allow)
	if err != nil {
		return nil, fmt.Errorf("%s: comparing the request: %w", f.Name, err)
	}
	for i := range ms {
		ms[i].Fixture = f.Name
	}
	if req.Model != f.ModelID() {
		ms = append([]bedrocktest.Mismatch{{Fixture: f.Name, Path: "model", Want: strconv.Quote(f.ModelID()), Got: strconv.Quote(req.Model)}}, ms...)
	}
	return ms, nil
}

// streamShape says how a recorded answer is cut into a simulated stream.
type streamShape struct {
	split int           // characters per delta; 0 keeps each block in one delta
	pace  time.Duration // delay between frames
}

// asStream returns a reply that answers with resp, the recorded answer of f, in the
// shape s: for converse-stream as event-stream frames built from resp (its text, tool
// calls, stop reason and usage, as recorded), for converse as a Converse body. Each
// request is compared with the recorded one and the result added to log.
func asStream(f *bedrocktest.Fixture, resp *llm.Response, s streamShape, allow []bedrocktest.Allow, log *mismatchLog) bedrocktest.ServerReply {
	reply := bedrocktest.Respond(resp)
	if s.split > 0 {
		reply = reply.Split(s.split)
	}
	if s.pace > 0 {
		reply = reply.Pace(0, s.pace)
	}
	return bedrocktest.Func(func(req bedrocktest.Request) bedrocktest.ServerReply {
		if log != nil {
			log.add(compareRequest(f, req, allow))
		}
		return reply
	})
}
