package bedrockbatch

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"iter"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/llmkit/llmkit/batch"
)

// Operations named in errors.
const (
	opSubmit  = "batch-submit"
	opJob     = "batch-job"
	opCancel  = "batch-cancel"
	opResults = "batch-results"
	opList    = "batch-list"
)

// Service runs batches as Bedrock model invocation jobs; it implements
// [batch.Service]. It is safe for concurrent use.
type Service struct {
	control ControlAPI
	objects ObjectAPI
	opts    Options
	input   s3Location
	output  s3Location
	codec   *codec
}

var _ batch.Service = (*Service)(nil)

// New returns a Service that calls Bedrock's control plane with control and S3 with
// objects (clients the caller built: *bedrock.Client and *s3.Client, with the caller's
// region and credentials). opts may be nil for a Service that only follows, reads and
// stops jobs; Submit needs the role and the input and output folders.
func New(control ControlAPI, objects ObjectAPI, opts *Options) (*Service, error) {
	if control == nil || objects == nil {
		return nil, errors.New("bedrockbatch: new: nil client")
	}
	s := &Service{control: control, objects: objects, codec: newCodec()}
	if opts != nil {
		s.opts = *opts
	}
	var err error
	if s.opts.InputURI != "" {
		if s.input, err = parseS3URI("Options.InputURI", s.opts.InputURI, true); err != nil {
			return nil, err
		}
	}
	if s.opts.OutputURI != "" {
		if s.output, err = parseS3URI("Options.OutputURI", s.opts.OutputURI, true); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// canSubmit reports what Submit misses in the options.
func (s *Service) canSubmit() error {
	var missing []string
	if s.opts.RoleARN == "" {
		missing = append(missing, "Options.RoleARN")
	}
	if s.opts.InputURI == "" {
		missing = append(missing, "Options.InputURI")
	}
	if s.opts.OutputURI == "" {
		missing = append(missing, "Options.OutputURI")
	}
	if len(missing) > 0 {
		return fmt.Errorf("bedrockbatch: submit: %s not set", strings.Join(missing, ", "))
	}
	return nil
}

// Submit checks and formats every record with bedrock.FormatRequest, writes them as
// JSONL input files within the model's limits (local temporary files first, so that a
// bad record is reported before anything is uploaded), uploads them to a folder named
// after the job under [Options.InputURI], and creates a model invocation job of the
// Converse type on them. The returned Job holds FormatRequest's warnings per record.
//
// With [batch.SubmitOptions.Token], the job is created with that client request token:
// Bedrock returns the first job for a repeated token instead of starting another, and
// the job's default name is derived from it, so that a retried submission writes to the
// same input folder. If creating the job fails after the upload, the input files stay in
// S3 (under the job's name) and a retry with the same name or token overwrites them.
func (s *Service) Submit(ctx context.Context, model string, records iter.Seq2[batch.Record, error], opts *batch.SubmitOptions) (*batch.Job, error) {
	if err := s.canSubmit(); err != nil {
		return nil, err
	}
	if model == "" {
		return nil, errors.New("bedrockbatch: submit: no model id")
	}
	var so batch.SubmitOptions
	if opts != nil {
		so = *opts
	}
	name, err := jobName(so)
	if err != nil {
		return nil, err
	}
	sp, err := s.writeSpool(ctx, model, records, s.opts.limitsFor(model))
	if err != nil {
		return nil, err
	}
	defer sp.remove()
	folder := s3Location{bucket: s.input.bucket, key: s.input.key + name + "/"}
	for _, f := range sp.files {
		if err := s.upload(ctx, folder, f); err != nil {
			return nil, err
		}
	}
	out, err := s.control.CreateModelInvocationJob(ctx, s.createInput(name, model, folder, so.Token))
	if err != nil {
		return nil, mapError(opSubmit, err)
	}
	job, err := s.Job(ctx, aws.ToString(out.JobArn))
	if err != nil {
		return nil, err
	}
	job.Warnings = sp.warnings
	return job, nil
}

func (s *Service) upload(ctx context.Context, folder s3Location, f spoolFile) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("bedrockbatch: submit: %w", err)
	}
	defer file.Close()
	_, err = s.objects.PutObject(ctx, &s3.PutObjectInput{
		Bucket:              aws.String(folder.bucket),
		Key:                 aws.String(folder.key + f.name),
		Body:                file,
		ContentLength:       aws.Int64(f.bytes),
		ContentType:         aws.String("application/jsonl"),
		ExpectedBucketOwner: optString(s.opts.BucketOwner),
	})
	if err != nil {
		return mapError(opSubmit, fmt.Errorf("upload %s: %w", f.name, err))
	}
	return nil
}

func (s *Service) createInput(name, model string, folder s3Location, token string) *bedrock.CreateModelInvocationJobInput {
	in := &bedrock.CreateModelInvocationJobInput{
		JobName:             aws.String(name),
		ModelId:             aws.String(model),
		RoleArn:             aws.String(s.opts.RoleARN),
		ModelInvocationType: types.ModelInvocationTypeConverse,
		ClientRequestToken:  optString(token),
		InputDataConfig: &types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig{Value: types.ModelInvocationJobS3InputDataConfig{
			S3Uri:         aws.String(folder.String()),
			S3InputFormat: types.S3InputFormatJsonl,
			S3BucketOwner: optString(s.opts.BucketOwner),
		}},
		OutputDataConfig: &types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig{Value: types.ModelInvocationJobS3OutputDataConfig{
			S3Uri:             aws.String(s.output.String()),
			S3EncryptionKeyId: optString(s.opts.OutputKMSKeyID),
			S3BucketOwner:     optString(s.opts.BucketOwner),
		}},
	}
	if s.opts.TimeoutHours > 0 {
		in.TimeoutDurationInHours = aws.Int32(s.opts.TimeoutHours)
	}
	keys := make([]string, 0, len(s.opts.Tags))
	for k := range s.opts.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		in.Tags = append(in.Tags, types.Tag{Key: aws.String(k), Value: aws.String(s.opts.Tags[k])})
	}
	if len(s.opts.SubnetIDs) > 0 || len(s.opts.SecurityGroupIDs) > 0 {
		in.VpcConfig = &types.VpcConfig{SubnetIds: s.opts.SubnetIDs, SecurityGroupIds: s.opts.SecurityGroupIDs}
	}
	return in
}

// jobName returns the job's name: the caller's, one derived from the token, or a new one.
func jobName(so batch.SubmitOptions) (string, error) {
	if err := checkToken(so.Token); err != nil {
		return "", err
	}
	name := so.Name
	switch {
	case name != "":
	case so.Token != "":
		name = "llmkit-" + so.Token
	default:
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("bedrockbatch: submit: %w", err)
		}
		name = "llmkit-" + time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b[:])
	}
	if len(name) > 63 {
		return "", fmt.Errorf("bedrockbatch: submit: job name %q is longer than 63 characters", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || i > 0 && (c == '-' || c == '+' || c == '.')) {
			return "", fmt.Errorf("bedrockbatch: submit: job name %q has %q at byte %d (letters, digits, and after the first '-', '+', '.')", name, c, i)
		}
	}
	return name, nil
}

// checkToken accepts Bedrock's client request tokens: letters and digits, with single or
// repeated hyphens between them, at most 256 bytes.
func checkToken(token string) error {
	if len(token) > 256 {
		return fmt.Errorf("bedrockbatch: submit: token longer than 256 bytes")
	}
	for i := 0; i < len(token); i++ {
		c := token[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (c != '-' || i == 0 || i == len(token)-1) {
			return fmt.Errorf("bedrockbatch: submit: token %q has %q at byte %d (letters and digits, '-' between them)", token, c, i)
		}
	}
	return nil
}

// Job returns the state of the job with the given ARN (or id). Once the job has ended,
// the counts come from the manifest Bedrock writes beside the results
// (manifest.json.out), which adds the token counts; before, from the job's description.
func (s *Service) Job(ctx context.Context, id string) (*batch.Job, error) {
	out, err := s.control.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(id)})
	if err != nil {
		return nil, mapError(opJob, err)
	}
	job := &batch.Job{
		ID:      aws.ToString(out.JobArn),
		Name:    aws.ToString(out.JobName),
		Model:   aws.ToString(out.ModelId),
		Status:  batch.Status(out.Status),
		Message: aws.ToString(out.Message),
		Counts: batch.Counts{
			Total:     aws.ToInt64(out.TotalRecordCount),
			Processed: aws.ToInt64(out.ProcessedRecordCount),
			Succeeded: aws.ToInt64(out.SuccessRecordCount),
			Failed:    aws.ToInt64(out.ErrorRecordCount),
		},
		Submitted: aws.ToTime(out.SubmitTime),
		Ended:     aws.ToTime(out.EndTime),
	}
	if job.Status.Done() {
		m, err := s.manifest(ctx, out)
		if err != nil {
			return nil, err
		}
		if m != nil {
			job.Counts = m.counts()
		}
	}
	return job, nil
}

// Cancel stops the job with the given ARN (or id). Bedrock keeps the results of the
// records processed before the stop.
func (s *Service) Cancel(ctx context.Context, id string) error {
	_, err := s.control.StopModelInvocationJob(ctx, &bedrock.StopModelInvocationJobInput{JobIdentifier: aws.String(id)})
	if err != nil {
		return mapError(opCancel, err)
	}
	return nil
}

// List yields the jobs whose name contains nameContains (all jobs when empty), newest
// first, page by page as it is ranged over. Their counts are the job descriptions'.
func (s *Service) List(ctx context.Context, nameContains string) iter.Seq2[*batch.Job, error] {
	return func(yield func(*batch.Job, error) bool) {
		p := bedrock.NewListModelInvocationJobsPaginator(s.control, &bedrock.ListModelInvocationJobsInput{
			NameContains: optString(nameContains),
			SortBy:       types.SortJobsByCreationTime,
			SortOrder:    types.SortOrderDescending,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield(nil, mapError(opList, err))
				return
			}
			for _, j := range page.InvocationJobSummaries {
				job := &batch.Job{
					ID: aws.ToString(j.JobArn), Name: aws.ToString(j.JobName), Model: aws.ToString(j.ModelId),
					Status: batch.Status(j.Status), Message: aws.ToString(j.Message),
					Counts: batch.Counts{Total: aws.ToInt64(j.TotalRecordCount), Processed: aws.ToInt64(j.ProcessedRecordCount),
						Succeeded: aws.ToInt64(j.SuccessRecordCount), Failed: aws.ToInt64(j.ErrorRecordCount)},
					Submitted: aws.ToTime(j.SubmitTime), Ended: aws.ToTime(j.EndTime),
				}
				if !yield(job, nil) {
					return
				}
			}
		}
	}
}

// jobID returns the id Bedrock names a job's output folder with: the last segment of
// its ARN.
func jobID(arn string) string {
	if i := strings.LastIndexByte(arn, '/'); i >= 0 {
		return arn[i+1:]
	}
	return arn
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
