package bedrockbatch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestTenThousand submits 10,000 requests through the real SDK clients, split into files
// of 1,000, and reads every record back once: answers beside typed errors.
func TestTenThousand(t *testing.T) {
	const n = tenThousand
	rt := bedrocktest.NewServer(&bedrocktest.Options{Default: faults()})
	defer rt.Close()
	srv, svc := standIn(t, &batchtest.Options{Runtime: rt}, bedrockbatch.Limits{RecordsPerFile: 1000})
	ctx := context.Background()

	job, err := svc.Submit(ctx, model, batch.Records(records(n)), &batch.SubmitOptions{Name: "ten-thousand"})
	if err != nil {
		t.Fatal(err)
	}
	files, err := srv.S3Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("batch-in"), Prefix: aws.String("jobs/ten-thousand/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(files.Contents) != n/1000 {
		t.Errorf("input files = %d, want %d of 1,000 records", len(files.Contents), n/1000)
	}

	// Another process follows and reads the job from its ARN alone.
	other := service(t, srv, bedrockbatch.Limits{})
	end := wait(t, other, job.ID)
	if end.Status != batch.StatusCompleted {
		t.Fatalf("status = %s (%s), want Completed", end.Status, end.Message)
	}
	got := collect(t, other, job.ID)
	if len(got) != n {
		t.Fatalf("results = %d, want %d", len(got), n)
	}
	var ok, throttled, tooLong int
	for i := range n {
		id := fmt.Sprintf("r%d", i)
		r, found := got[id]
		switch {
		case !found:
			t.Fatalf("record %s not answered", id)
		case i%97 == 13:
			if !errors.Is(r.Err, llm.ErrRateLimited) {
				t.Errorf("record %s: err = %v, want ErrRateLimited", id, r.Err)
			}
			throttled++
		case i%89 == 7:
			if !errors.Is(r.Err, llm.ErrContextTooLong) {
				t.Errorf("record %s: err = %v, want ErrContextTooLong", id, r.Err)
			}
			tooLong++
		default:
			if r.Err != nil || r.Response.Text() != fmt.Sprintf("answer to prompt %d", i) {
				t.Errorf("record %s = %v, %v; want its answer", id, r.Response, r.Err)
			}
			ok++
		}
	}
	want := batch.Counts{Total: n, Processed: n, Succeeded: int64(ok), Failed: int64(throttled + tooLong)}
	if end.Counts != want {
		t.Errorf("counts = %+v, want %+v", end.Counts, want)
	}
	var pe *llm.ProviderError
	for _, r := range got {
		if r.Err != nil && (!errors.As(r.Err, &pe) || pe.Provider != "bedrock" || pe.Op != "batch-record" || pe.StatusCode == 0) {
			t.Fatalf("record %s: err = %#v, want a bedrock batch-record ProviderError with its status", r.ID, r.Err)
		}
	}
}

// TestStopped stops a job held after 250 of 1,000 records: the job reports 250
// processed, those have results, and the others come back as not processed.
func TestStopped(t *testing.T) {
	srv, svc := standIn(t, &batchtest.Options{PauseAfter: 250}, bedrockbatch.Limits{RecordsPerFile: 400})
	ctx := context.Background()
	job, err := svc.Submit(ctx, model, batch.Records(records(1000)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st, n, err := srv.Wait(ctx, job.ID); err != nil || n != 250 {
		t.Fatalf("Wait = %s, %d, %v; want held at 250", st, n, err)
	}
	if err := svc.Cancel(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	end := wait(t, svc, job.ID)
	if end.Status != batch.StatusStopped || end.Counts.Processed != 250 || end.Counts.Succeeded != 250 || end.Counts.Total != 1000 {
		t.Fatalf("job = %s %+v, want Stopped with 250 of 1000 processed", end.Status, end.Counts)
	}
	got := collect(t, svc, job.ID)
	if len(got) != 1000 {
		t.Fatalf("results = %d, want 1000", len(got))
	}
	done := 0
	for i := range 1000 {
		r := got[fmt.Sprintf("r%d", i)]
		if r.Err == nil {
			done++
			if want := fmt.Sprintf("prompt %d", i); r.Response.Text() != want {
				t.Errorf("record r%d = %q, want %q", i, r.Response.Text(), want)
			}
		} else if !errors.Is(r.Err, batch.ErrNotProcessed) {
			t.Errorf("record r%d: err = %v, want ErrNotProcessed", i, r.Err)
		}
	}
	if done != 250 {
		t.Errorf("answered = %d, want 250", done)
	}
	if err := svc.Cancel(ctx, job.ID); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("Cancel of a stopped job = %v, want ErrInvalidRequest", err)
	}
}

// TestFailedPartWay: a job that fails after 300 records says why, and its results hold
// the 300 and the rest as not processed.
func TestFailedPartWay(t *testing.T) {
	_, svc := standIn(t, &batchtest.Options{FailAfter: 300}, bedrockbatch.Limits{})
	ctx := context.Background()
	job, err := svc.Submit(ctx, model, batch.Records(records(500)), nil)
	if err != nil {
		t.Fatal(err)
	}
	end := wait(t, svc, job.ID)
	if end.Status != batch.StatusFailed || !strings.Contains(end.Message, "after 300 records") || end.Counts.Processed != 300 {
		t.Fatalf("job = %s %q %+v, want Failed after 300", end.Status, end.Message, end.Counts)
	}
	var answered, missing int
	for _, r := range collect(t, svc, job.ID) {
		if r.Err == nil {
			answered++
		} else if errors.Is(r.Err, batch.ErrNotProcessed) {
			missing++
		}
	}
	if answered != 300 || missing != 200 {
		t.Errorf("answered, not processed = %d, %d; want 300, 200", answered, missing)
	}
}

// TestIdempotent: a second submission with the same token returns the first job.
func TestIdempotent(t *testing.T) {
	_, svc := standIn(t, nil, bedrockbatch.Limits{})
	ctx := context.Background()
	a, err := svc.Submit(ctx, model, batch.Records(records(100)), &batch.SubmitOptions{Token: "run42"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := svc.Submit(ctx, model, batch.Records(records(100)), &batch.SubmitOptions{Token: "run42"})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || a.Name != "llmkit-run42" {
		t.Errorf("jobs = %s (%s), %s; want one job named llmkit-run42", a.ID, a.Name, b.ID)
	}
	var n int
	for j, err := range svc.List(ctx, "run42") {
		if err != nil {
			t.Fatal(err)
		}
		if j.ID != a.ID {
			t.Errorf("List: job %s, want only %s", j.ID, a.ID)
		}
		n++
	}
	if n != 1 {
		t.Errorf("List found %d jobs, want 1", n)
	}
}

// TestManifestTokens: the counts of an ended job come from its manifest, tokens included.
func TestManifestTokens(t *testing.T) {
	rt := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Respond(&llm.Response{
		Message: llm.AssistantText("ok"), StopReason: llm.StopReasonEndTurn,
		Usage: llm.Usage{InputTokens: 7, OutputTokens: 3, TotalTokens: 10},
	})})
	defer rt.Close()
	_, svc := standIn(t, &batchtest.Options{Runtime: rt}, bedrockbatch.Limits{})
	job, err := svc.Submit(context.Background(), model, batch.Records(records(120)), nil)
	if err != nil {
		t.Fatal(err)
	}
	end := wait(t, svc, job.ID)
	want := batch.Counts{Total: 120, Processed: 120, Succeeded: 120, InputTokens: 840, OutputTokens: 360}
	if end.Counts != want {
		t.Errorf("counts = %+v, want %+v", end.Counts, want)
	}
}
