package bedrockbatch_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

const model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"

// standIn starts the stand-in and a Service on it.
func standIn(t *testing.T, opts *batchtest.Options, limits bedrockbatch.Limits) (*batchtest.Server, *bedrockbatch.Service) {
	t.Helper()
	srv := batchtest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv, service(t, srv, limits)
}

// service returns a new Service on srv, as another process would build it.
func service(t *testing.T, srv *batchtest.Server, limits bedrockbatch.Limits) *bedrockbatch.Service {
	t.Helper()
	svc, err := bedrockbatch.New(srv.ControlClient(), srv.S3Client(), &bedrockbatch.Options{
		RoleARN:   "arn:aws:iam::123456789012:role/batch",
		InputURI:  "s3://batch-in/jobs/",
		OutputURI: "s3://batch-out/results/",
		Limits:    limits,
		TempDir:   t.TempDir(),
		Tags:      map[string]string{"team": "llmkit"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// records returns n records "r0".."r<n-1>" asking for "prompt <i>".
func records(n int) []batch.Record {
	recs := make([]batch.Record, n)
	for i := range recs {
		recs[i] = batch.Record{ID: fmt.Sprintf("r%d", i), Request: &llm.Request{Messages: []llm.Message{llm.UserText(fmt.Sprintf("prompt %d", i))}}}
	}
	return recs
}

// faults answers "prompt <i>" by echo, except that i%97 == 13 is throttled and i%89 == 7
// is too long for the model.
func faults() bedrocktest.ServerReply {
	return bedrocktest.Func(func(r bedrocktest.Request) bedrocktest.ServerReply {
		var i int
		text := lastText(r)
		fmt.Sscanf(text, "prompt %d", &i)
		switch {
		case i%97 == 13:
			return bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests, please wait before trying again.")
		case i%89 == 7:
			return bedrocktest.Error(bedrocktest.ValidationException, "Input is too long for requested model.")
		}
		return bedrocktest.Text("answer to " + text)
	})
}

func lastText(r bedrocktest.Request) string {
	m, _ := r.JSON.(map[string]any)
	msgs, _ := m["messages"].([]any)
	if len(msgs) == 0 {
		return ""
	}
	last, _ := msgs[len(msgs)-1].(map[string]any)
	content, _ := last["content"].([]any)
	var parts []string
	for _, c := range content {
		if b, ok := c.(map[string]any); ok {
			if s, ok := b["text"].(string); ok {
				parts = append(parts, s)
			}
		}
	}
	return strings.Join(parts, "\n")
}

// wait follows the job until it ends, as a program would, without a timed assertion.
func wait(t *testing.T, svc batch.Service, id string) *batch.Job {
	t.Helper()
	var last *batch.Job
	for job, err := range batch.Follow(context.Background(), svc, id, 2_000_000) { // 2ms
		if err != nil {
			t.Fatal(err)
		}
		last = job
	}
	return last
}

// collect reads every result, failing on a read error or a repeated id.
func collect(t *testing.T, svc batch.Service, id string) map[string]batch.Result {
	t.Helper()
	got := map[string]batch.Result{}
	for r, err := range svc.Results(context.Background(), id) {
		if err != nil {
			t.Fatalf("Results: %v", err)
		}
		if _, dup := got[r.ID]; dup {
			t.Fatalf("Results: record %q answered twice", r.ID)
		}
		if (r.Response == nil) == (r.Err == nil) {
			t.Fatalf("Results: record %q has response %v and error %v", r.ID, r.Response, r.Err)
		}
		got[r.ID] = r
	}
	return got
}
