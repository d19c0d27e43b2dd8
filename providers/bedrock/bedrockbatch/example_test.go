package bedrockbatch_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
)

// Submit a batch, follow it, and read the results. The stand-in of package batchtest
// plays Bedrock and S3 (its model echoes the prompt); against AWS, pass
// bedrock.NewFromConfig(cfg) and s3.NewFromConfig(cfg) instead.
func Example() {
	srv := batchtest.NewServer(nil)
	defer srv.Close()
	ctx := context.Background()

	svc, err := bedrockbatch.New(srv.ControlClient(), srv.S3Client(), &bedrockbatch.Options{
		RoleARN:   "arn:aws:iam::123456789012:role/bedrock-batch",
		InputURI:  "s3://my-bucket/batch-in/",
		OutputURI: "s3://my-bucket/batch-out/",
		Limits:    bedrockbatch.Limits{MinRecords: 1}, // Bedrock's default minimum is 100
	})
	if err != nil {
		log.Fatal(err)
	}
	recs := []batch.Record{
		{ID: "ticket-1", Request: &llm.Request{Messages: []llm.Message{llm.UserText("My parcel never came")}}},
		{ID: "ticket-2", Request: &llm.Request{Messages: []llm.Message{llm.UserText("I was charged twice")}}},
	}
	job, err := svc.Submit(ctx, "us.anthropic.claude-haiku-4-5-20251001-v1:0", batch.Records(recs), nil)
	if err != nil {
		log.Fatal(err)
	}
	var last *batch.Job
	for j, err := range batch.Follow(ctx, svc, job.ID, 10*time.Millisecond) {
		if err != nil {
			log.Fatal(err)
		}
		last = j
	}
	fmt.Println(last.Status, last.Counts.Succeeded, "of", last.Counts.Total)
	for r, err := range svc.Results(ctx, job.ID) {
		if err != nil {
			log.Fatal(err)
		}
		if r.Err != nil {
			fmt.Println(r.ID, "failed:", r.Err)
			continue
		}
		fmt.Printf("%s: %s\n", r.ID, r.Response.Text())
	}
	// Output:
	// Completed 2 of 2
	// ticket-1: My parcel never came
	// ticket-2: I was charged twice
}
