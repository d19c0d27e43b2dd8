package batchtest_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func put(t *testing.T, srv *batchtest.Server, bucket, key, body string) {
	t.Helper()
	_, err := srv.S3Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, srv *batchtest.Server, bucket, key string) string {
	t.Helper()
	out, err := srv.S3Client().GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("get s3://%s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func create(t *testing.T, srv *batchtest.Server, name, input string) string {
	t.Helper()
	out, err := srv.ControlClient().CreateModelInvocationJob(context.Background(), &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String(name), ModelId: aws.String("m1"), RoleArn: aws.String("arn:aws:iam::1:role/r"),
		ModelInvocationType: types.ModelInvocationTypeConverse,
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{
			S3Uri: aws.String(input)}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{
			S3Uri: aws.String("s3://out/")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.JobArn)
}

// TestJobThroughSDK runs a job written by hand through the SDK's own clients: a record
// answered, one failed by its scripted reply, output and manifest where Bedrock puts them.
func TestJobThroughSDK(t *testing.T) {
	rt := bedrocktest.NewServer(&bedrocktest.Options{Default: bedrocktest.Func(func(r bedrocktest.Request) bedrocktest.ServerReply {
		if strings.Contains(string(r.Body), "boom") {
			return bedrocktest.Error(bedrocktest.ModelErrorException, "the model failed")
		}
		return bedrocktest.Text("fine")
	})})
	defer rt.Close()
	srv := batchtest.NewServer(&batchtest.Options{Runtime: rt})
	defer srv.Close()
	put(t, srv, "in", "job/a.jsonl", `{"recordId":"1","modelInput":{"messages":[{"role":"user","content":[{"text":"hi"}]}]}}
{"recordId":"2","modelInput":{"messages":[{"role":"user","content":[{"text":"boom"}]}]}}
`)
	arn := create(t, srv, "j1", "s3://in/job/")
	if st, n, err := srv.Wait(context.Background(), arn); err != nil || st != "Completed" || n != 2 {
		t.Fatalf("Wait = %s, %d, %v; want Completed after 2", st, n, err)
	}
	job, err := srv.ControlClient().GetModelInvocationJob(context.Background(), &bedrock.GetModelInvocationJobInput{JobIdentifier: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != types.ModelInvocationJobStatusCompleted || aws.ToInt64(job.SuccessRecordCount) != 1 || aws.ToInt64(job.ErrorRecordCount) != 1 || job.EndTime == nil {
		t.Errorf("job = %s ok %d failed %d end %v; want Completed, 1 and 1, an end time", job.Status, aws.ToInt64(job.SuccessRecordCount), aws.ToInt64(job.ErrorRecordCount), job.EndTime)
	}
	id := arn[strings.LastIndexByte(arn, '/')+1:]
	out := get(t, srv, "out", id+"/a.jsonl.out")
	if !strings.Contains(out, `"recordId":"1"`) || !strings.Contains(out, `"modelOutput":{`) ||
		!strings.Contains(out, `"error":{"errorCode":424,"errorMessage":"the model failed"}`) {
		t.Errorf("output file:\n%s\nwant record 1 answered and record 2 failed with 424", out)
	}
	if m := get(t, srv, "out", id+"/manifest.json.out"); !strings.Contains(m, `"successRecordCount":1`) {
		t.Errorf("manifest = %s", m)
	}
}

func TestBadInputFailsValidation(t *testing.T) {
	srv := batchtest.NewServer(nil)
	defer srv.Close()
	put(t, srv, "in", "bad.jsonl", "{\"recordId\":\"1\"}\n")
	arn := create(t, srv, "bad", "s3://in/bad.jsonl")
	st, _, err := srv.Wait(context.Background(), arn)
	if err != nil || st != "Failed" {
		t.Fatalf("Wait = %s, %v; want Failed", st, err)
	}
	job, _ := srv.ControlClient().GetModelInvocationJob(context.Background(), &bedrock.GetModelInvocationJobInput{JobIdentifier: &arn})
	if !strings.Contains(aws.ToString(job.Message), "line 1") {
		t.Errorf("message = %q, want the bad line named", aws.ToString(job.Message))
	}
}

func TestErrors(t *testing.T) {
	srv := batchtest.NewServer(nil)
	defer srv.Close()
	ctx := context.Background()
	c := srv.ControlClient()
	_, err := c.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String("nope")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("Get of an unknown job = %v, want ResourceNotFoundException", err)
	}
	put(t, srv, "in", "x/a.jsonl", `{"recordId":"1","modelInput":{"messages":[{"role":"user","content":[{"text":"hi"}]}]}}`+"\n")
	arn := create(t, srv, "dup", "s3://in/x/")
	srv.Wait(ctx, arn)
	_, err = c.CreateModelInvocationJob(ctx, &bedrock.CreateModelInvocationJobInput{
		JobName: aws.String("dup"), ModelId: aws.String("m1"), RoleArn: aws.String("r"),
		InputDataConfig:  &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{S3Uri: aws.String("s3://in/x/")}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{S3Uri: aws.String("s3://out/")}},
	})
	var conflict *types.ConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("a second job of the same name = %v, want ConflictException", err)
	}
	var ve *types.ValidationException
	if _, err := c.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: &arn}); !errors.As(err, &ve) {
		t.Errorf("stopping an ended job = %v, want ValidationException", err)
	}
	list, err := c.ListModelInvocationJobs(ctx, &bedrock.ListModelInvocationJobsInput{StatusEquals: types.ModelInvocationJobStatusCompleted, MaxResults: aws.Int32(1)})
	if err != nil || len(list.InvocationJobSummaries) != 1 || aws.ToString(list.InvocationJobSummaries[0].JobArn) != arn {
		t.Errorf("List = %+v, %v; want the one completed job", list, err)
	}
}
