package bedrockbatch_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestBadInput: each fault is reported (by record id where it lies in one record)
// before anything is uploaded.
func TestBadInput(t *testing.T) {
	with := func(n int, i int, r batch.Record) []batch.Record {
		recs := records(n)
		recs[i] = r
		return recs
	}
	tools := &llm.Request{Messages: []llm.Message{llm.UserText("x")}, Tools: []llm.Tool{{Name: "add", InputSchema: []byte(`{"type":"object"}`)}}}
	tests := []struct {
		name    string
		reason  string
		recs    []batch.Record
		limits  bedrockbatch.Limits
		is      error
		id      string
		invalid bool // the cause is an *llm.InvalidRequestError
	}{
		{name: "rejected by FormatRequest", reason: "a conversation that starts with the assistant cannot be sent",
			recs: with(150, 117, batch.Record{ID: "r117", Request: &llm.Request{Messages: []llm.Message{llm.AssistantText("hi")}}}),
			is:   llm.ErrInvalidRequest, id: "r117", invalid: true},
		{name: "tools", reason: "Converse batch jobs fail records with a toolConfig",
			recs: with(150, 3, batch.Record{ID: "r3", Request: tools}), is: llm.ErrInvalidRequest, id: "r3", invalid: true},
		{name: "other model", reason: "a job runs one model",
			recs: with(150, 9, batch.Record{ID: "r9", Request: &llm.Request{Model: "amazon.nova-pro-v1:0", Messages: []llm.Message{llm.UserText("x")}}}),
			is:   llm.ErrInvalidRequest, id: "r9", invalid: true},
		{name: "nil request", reason: "a record must hold a request",
			recs: with(150, 4, batch.Record{ID: "r4"}), is: llm.ErrInvalidRequest, id: "r4", invalid: true},
		{name: "duplicate id", reason: "results are matched by id",
			recs: with(150, 140, batch.Record{ID: "r2", Request: &llm.Request{Messages: []llm.Message{llm.UserText("x")}}}),
			is:   batch.ErrDuplicateID, id: "r2"},
		{name: "empty id", reason: "results are matched by id",
			recs: with(150, 5, batch.Record{Request: &llm.Request{Messages: []llm.Message{llm.UserText("x")}}}), id: ""},
		{name: "bad id", reason: "Bedrock takes alphanumeric ids",
			recs: with(150, 6, batch.Record{ID: "a b", Request: &llm.Request{Messages: []llm.Message{llm.UserText("x")}}}), id: "a b"},
		{name: "empty", reason: "a job needs records", recs: nil, is: batch.ErrEmpty},
		{name: "below minimum", reason: "the default quota is 100 records per job", recs: records(99), is: batch.ErrTooFew},
		{name: "above maximum", reason: "a per-model maximum", recs: records(150), limits: bedrockbatch.Limits{MaxRecords: 120}, is: batch.ErrTooMany},
		{name: "record over file size", reason: "a record must fit in one input file",
			recs: records(150), limits: bedrockbatch.Limits{BytesPerFile: 40}, id: "r0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, svc := standIn(t, nil, tt.limits)
			_, err := svc.Submit(context.Background(), model, batch.Records(tt.recs), nil)
			if err == nil {
				t.Fatalf("Submit = nil error, want one (%s)", tt.reason)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Submit = %v, want errors.Is %v (%s)", err, tt.is, tt.reason)
			}
			var re *batch.RecordError
			if tt.id != "" || tt.name == "empty id" {
				if !errors.As(err, &re) || re.ID != tt.id {
					t.Errorf("Submit = %v, want a RecordError for %q (%s)", err, tt.id, tt.reason)
				}
			}
			var ire *llm.InvalidRequestError
			if tt.invalid && (!errors.As(err, &ire) || ire.Op != "batch-submit") {
				t.Errorf("Submit = %v, want an InvalidRequestError of batch-submit", err)
			}
			list, lerr := srv.S3Client().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("batch-in")})
			if lerr == nil && len(list.Contents) > 0 {
				t.Errorf("%d objects uploaded before the error, want none", len(list.Contents))
			}
		})
	}
}

// TestSameAsGenerate: the same requests, answered by the same scripted replies, give the
// same responses as a batch and as Generate calls.
func TestSameAsGenerate(t *testing.T) {
	replies := map[string]*llm.Response{
		"plain": {Message: llm.AssistantText("hello"), StopReason: llm.StopReasonEndTurn,
			Usage: llm.Usage{InputTokens: 5, OutputTokens: 1, TotalTokens: 6}},
		"cut": {Message: llm.AssistantText("one two"), StopReason: llm.StopReasonMaxTokens,
			Usage: llm.Usage{InputTokens: 9, OutputTokens: 2, TotalTokens: 11, CacheReadTokens: 4}},
		"think": {Message: llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{
			llm.Reasoning{Text: "let me see", Signature: "sig=="}, llm.Text{Text: "42"}}},
			StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 30, OutputTokens: 12, TotalTokens: 42}},
		"stop": {Message: llm.AssistantText("a b"), StopReason: llm.StopReasonStopSequence, RawStopReason: "stop_sequence"},
	}
	reqs := map[string]*llm.Request{
		"plain": {Messages: []llm.Message{llm.SystemText("be brief"), llm.UserText("plain")}},
		"cut":   {Messages: []llm.Message{llm.UserText("cut")}, MaxTokens: 2},
		"think": {Messages: []llm.Message{llm.UserText("first"), llm.AssistantText("ok"), llm.UserText("think")},
			Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, MaxTokens: 4096},
		"stop": {Messages: []llm.Message{llm.UserText("stop")}, StopSequences: []string{"c"}, Temperature: llm.Ptr(0.5)},
	}
	rt := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Func(func(r bedrocktest.Request) bedrocktest.ServerReply {
		return bedrocktest.Respond(replies[lastText(r)])
	})})
	defer rt.Close()

	ctx := context.Background()
	m := bedrock.New(rt.Client(nil), nil)
	want := map[string]*llm.Response{}
	var recs []batch.Record
	for id, req := range reqs {
		r := req.Clone()
		r.Model = model
		resp, err := m.Generate(ctx, r)
		if err != nil {
			t.Fatalf("Generate(%s): %v", id, err)
		}
		want[id] = resp
		recs = append(recs, batch.Record{ID: id, Request: req})
	}

	_, svc := standIn(t, &batchtest.Options{Runtime: rt}, bedrockbatch.Limits{MinRecords: 1})
	job, err := svc.Submit(ctx, model, batch.Records(recs), nil)
	if err != nil {
		t.Fatal(err)
	}
	if end := wait(t, svc, job.ID); end.Status != batch.StatusCompleted {
		t.Fatalf("status = %s (%s)", end.Status, end.Message)
	}
	got := map[string]*llm.Response{}
	for id, r := range collect(t, svc, job.ID) {
		if r.Err != nil {
			t.Fatalf("record %s: %v", id, r.Err)
		}
		got[id] = r.Response
	}
	// The request id is the HTTP call's, which a batch record does not have.
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(llm.Response{}, "RequestID")); diff != "" {
		t.Errorf("batch responses differ from Generate's (-Generate +batch):\n%s", diff)
	}
	// And the records Bedrock received are the bodies Generate sent.
	var converse, batched []string
	for _, r := range rt.Requests() {
		converse = append(converse, string(r.Body))
	}
	for i := range converse[:len(reqs)] {
		batched = append(batched, converse[len(reqs)+i])
	}
	if strings.Join(sorted(converse[:len(reqs)]), "\n") != strings.Join(sorted(batched), "\n") {
		t.Errorf("batch modelInput bodies differ from the Converse bodies Generate sent:\n%s\n---\n%s", converse[:len(reqs)], batched)
	}
}

func sorted(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// TestWarningsKept: what FormatRequest could not honour is returned per record.
func TestWarningsKept(t *testing.T) {
	_, svc := standIn(t, nil, bedrockbatch.Limits{MinRecords: 1})
	recs := records(3)
	recs[1].Request.Messages = append(recs[1].Request.Messages, llm.Message{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "more"}, llm.Text{Text: "  "}}})
	job, err := svc.Submit(context.Background(), model, batch.Records(recs), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(job.Warnings) == 0 {
		t.Fatal("Submit: no warnings, want those of record r1")
	}
	for _, w := range job.Warnings {
		if w.ID != "r1" || w.Warning.Code == "" || w.Warning.Message != 1 {
			t.Errorf("warning %+v, want one of r1", w)
		}
	}
	wait(t, svc, job.ID)
}

// TestOptionsChecked: malformed URIs fail New; Submit needs the role and both URIs.
func TestOptionsChecked(t *testing.T) {
	srv := batchtest.NewServer(nil)
	defer srv.Close()
	good := bedrockbatch.Options{RoleARN: "arn:aws:iam::1:role/r", InputURI: "s3://a/in", OutputURI: "s3://a/out/"}
	for _, tt := range []struct {
		name    string
		edit    func(*bedrockbatch.Options)
		atNew   bool
		wantErr string
	}{
		{"no role", func(o *bedrockbatch.Options) { o.RoleARN = "" }, false, "RoleARN"},
		{"input not s3", func(o *bedrockbatch.Options) { o.InputURI = "https://a/in" }, true, "InputURI"},
		{"no output", func(o *bedrockbatch.Options) { o.OutputURI = "" }, false, "OutputURI"},
	} {
		o := good
		tt.edit(&o)
		svc, err := bedrockbatch.New(srv.ControlClient(), srv.S3Client(), &o)
		if !tt.atNew {
			if err != nil {
				t.Fatalf("%s: New = %v", tt.name, err)
			}
			_, err = svc.Submit(context.Background(), model, batch.Records(records(100)), nil)
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want one naming %s", tt.name, err, tt.wantErr)
		}
	}
	svc, err := bedrockbatch.New(srv.ControlClient(), srv.S3Client(), &good)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []batch.SubmitOptions{{Token: "run.1"}, {Token: "-run"}, {Name: "-job"}, {Name: strings.Repeat("n", 64)}} {
		if _, err := svc.Submit(context.Background(), model, batch.Records(records(100)), &opts); err == nil {
			t.Errorf("Submit with %+v = nil error, want the token or name refused before upload", opts)
		}
	}
	if _, err := bedrockbatch.New(srv.ControlClient(), srv.S3Client(), nil); err != nil {
		t.Errorf("New(nil options) = %v, want a Service that reads jobs", err)
	}
}
