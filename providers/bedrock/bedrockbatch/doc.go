// Package bedrockbatch runs batches of [llm.Request]s as Amazon Bedrock batch inference
// jobs (model invocation jobs): a [Service] implementing package batch's neutral
// [batch.Service] on the AWS SDK's own clients — *bedrock.Client (the control plane's
// CreateModelInvocationJob, GetModelInvocationJob, StopModelInvocationJob and
// ListModelInvocationJobs) and *s3.Client for the input and output objects. Bedrock runs
// such jobs at about half the on-demand price.
//
// # Submitting
//
//	svc, err := bedrockbatch.New(bedrock.NewFromConfig(cfg), s3.NewFromConfig(cfg), &bedrockbatch.Options{
//		RoleARN:   "arn:aws:iam::123456789012:role/bedrock-batch",
//		InputURI:  "s3://my-bucket/batch-in/",
//		OutputURI: "s3://my-bucket/batch-out/",
//	})
//	job, err := svc.Submit(ctx, "us.anthropic.claude-haiku-4-5-20251001-v1:0", batch.Records(recs), nil)
//
// Each record's request is translated by the provider's FormatRequest (so every request
// rule of package providers/bedrock applies, with its warnings returned per record in
// [batch.Job.Warnings]), serialised as the body of a Converse call by the SDK's own
// serializer, and written as a line {"recordId": …, "modelInput": {…}} of a JSONL file;
// the job is created with the Converse invocation type. Files are written locally first
// and uploaded only when every record has passed: a bad record is a [*batch.RecordError]
// naming it, and nothing is uploaded. Bedrock's batch inference takes no tool calling in
// Converse jobs (a record with a toolConfig fails with a 400,
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html), so a
// request with tools, tool blocks in its history, or structured output through a tool is
// rejected; native structured output ([llm.OutputNative]) is sent.
//
// # Limits
//
// Records are split into files of at most [Limits.RecordsPerFile] records and
// [Limits.BytesPerFile] bytes, and a job must hold between [Limits.MinRecords] and
// [Limits.MaxRecords] records and at most [Limits.BytesPerJob] bytes. These are Bedrock's
// service quotas "Records per input file per batch inference job", "Batch inference input
// file size", "Minimum number of records per batch inference job" and "Records per batch
// inference job" (per model) and "Batch inference job size", named in
// https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-data.html with
// their values in the AWS General Reference,
// https://docs.aws.amazon.com/general/latest/gr/bedrock.html. [DefaultLimits] holds the
// default values; quotas vary by model and Region and can be raised, so set yours in
// [Options.Limits] and, per model, [Options.ModelLimits]. Record ids must be non-empty
// letters, digits, '-' or '_' (Bedrock documents "alphanumeric"), at most 256 bytes.
//
// # Following and reading
//
// [Service.Job] reads a job by its ARN, from any process; once the job has ended, its
// counts come from the manifest.json.out Bedrock writes beside the results, token counts
// included. [Service.Results] streams the output files (<input file>.out, in the format
// of https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference-results.html)
// in the order Bedrock wrote them: a record's modelOutput is decoded by the SDK's deserializer and
// parsed with bedrock.ParseResponse; a record's error ({"errorCode": status,
// "errorMessage": …}) becomes an [*llm.ProviderError] mapped by package bedrock's error
// switch, as a failed Converse call with that status and message would be (a 429 is
// llm.ErrRateLimited, a 400 saying the input is too long llm.ErrContextTooLong …); a
// record without output (the job was stopped, failed or expired first) is
// [batch.ErrNotProcessed]. Memory holds one file's record ids while reading, never the
// records. [Service.Cancel] stops a job; [Service.List] lists jobs.
//
// Two things differ from Generate: a response has no RequestID (no HTTP call of the
// caller's answered it), and structured output is the answer's text only —
// [llm.Response.Object] is not filled, since the record's result is read without its
// request.
//
// # Errors
//
// Errors of the control plane and of S3 are [*llm.ProviderError]s too, categorised by
// the same switch (Op "batch-submit", "batch-job", "batch-results", "batch-cancel",
// "batch-list").
//
// Package batchtest is a local stand-in for both services, for tests and offline demos.
package bedrockbatch
