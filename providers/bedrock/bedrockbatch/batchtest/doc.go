// Package batchtest is a local stand-in for Amazon Bedrock batch inference: the Bedrock
// control plane's model invocation job API (CreateModelInvocationJob,
// GetModelInvocationJob, StopModelInvocationJob, ListModelInvocationJobs, REST-JSON as the
// SDK speaks it) and an S3 service (github.com/johannesboyne/gofakes3 on an in-memory
// backend) served together on one loopback address, so that the real *bedrock.Client
// and *s3.Client — and package bedrockbatch on them — run batches with no AWS account
// and no network.
//
// # Jobs
//
// A job reads its input files (.jsonl under the input S3 URI, or one .jsonl object) and
// runs every record through a simulated model: the record's modelInput is sent as a
// Converse request to a bedrocktest.Server ([Options.Runtime]), so that records are
// answered by that package's scripting — queued replies, replies per request
// (bedrocktest.Func), errors in Bedrock's shapes. A reply with an HTTP error becomes the
// record's error ({"errorCode": status, "errorMessage": message}); any other answer its
// modelOutput. Output files (<input file>.out) and manifest.json.out are written under
// the output S3 URI in a folder named after the job id, as Bedrock does. Records of a file
// are written in their input order.
//
// A job's status goes Submitted, Validating, InProgress, then Completed; a record that is
// not a JSON object with recordId and modelInput fails the job in Validating.
// [Options.FailAfter] fails every job after that many records (the records done keep
// their output), [Options.PauseAfter] holds every job after that many records until
// [Server.Resume] or a stop, so that a test can stop a job midway with no timing; a stop
// ends the job Stopped with what was done written. [Server.Wait] waits, without
// polling, until a job has ended or is held. A repeated client request token returns the
// first job.
package batchtest
