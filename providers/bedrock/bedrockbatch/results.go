package bedrockbatch

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"path"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/llmkit/llmkit/batch"
	bedrockrt "github.com/llmkit/llmkit/providers/bedrock"
)

// outputLine is one record of an output file (<input file>.out).
type outputLine struct {
	RecordID    string          `json:"recordId"`
	ModelOutput json.RawMessage `json:"modelOutput"`
	Error       *recordFailure  `json:"error"`
}

// recordFailure is a record's error as Bedrock writes it: an HTTP status and a message.
type recordFailure struct {
	Code    json.RawMessage `json:"errorCode"`
	Message string          `json:"errorMessage"`
}

// status returns the error code as an HTTP status (Bedrock writes a number; a string
// holding one is read too), or 0.
func (f *recordFailure) status() int {
	raw := strings.Trim(string(f.Code), `"`)
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0
	}
	return n
}

// manifestFile is the job summary Bedrock writes beside the results.
type manifestFile struct {
	TotalRecordCount     int64 `json:"totalRecordCount"`
	ProcessedRecordCount int64 `json:"processedRecordCount"`
	SuccessRecordCount   int64 `json:"successRecordCount"`
	ErrorRecordCount     int64 `json:"errorRecordCount"`
	InputTokenCount      int64 `json:"inputTokenCount"`
	OutputTokenCount     int64 `json:"outputTokenCount"`
}

func (m *manifestFile) counts() batch.Counts {
	return batch.Counts{
		Total: m.TotalRecordCount, Processed: m.ProcessedRecordCount,
		Succeeded: m.SuccessRecordCount, Failed: m.ErrorRecordCount,
		InputTokens: m.InputTokenCount, OutputTokens: m.OutputTokenCount,
	}
}

// jobFiles are where a job's input and output are.
type jobFiles struct {
	model  string
	input  s3Location // a folder (key ends in '/') or one .jsonl object
	output s3Location // the job's output folder: the output URI and the job id
}

func filesOf(out *bedrock.GetModelInvocationJobOutput) (jobFiles, error) {
	var f jobFiles
	f.model = aws.ToString(out.ModelId)
	in, ok := out.InputDataConfig.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig)
	if !ok {
		return f, fmt.Errorf("bedrockbatch: job %s has no S3 input", aws.ToString(out.JobArn))
	}
	o, ok := out.OutputDataConfig.(*types.ModelInvocationJobOutputDataConfigMemberS3OutputDataConfig)
	if !ok {
		return f, fmt.Errorf("bedrockbatch: job %s has no S3 output", aws.ToString(out.JobArn))
	}
	var err error
	raw := aws.ToString(in.Value.S3Uri)
	if f.input, err = parseS3URI("input", raw, !strings.HasSuffix(raw, ".jsonl")); err != nil {
		return f, err
	}
	if f.output, err = parseS3URI("output", aws.ToString(o.Value.S3Uri), true); err != nil {
		return f, err
	}
	f.output.key += jobID(aws.ToString(out.JobArn)) + "/"
	return f, nil
}

// manifest reads the job's manifest.json.out; nil when there is none.
func (s *Service) manifest(ctx context.Context, out *bedrock.GetModelInvocationJobOutput) (*manifestFile, error) {
	f, err := filesOf(out)
	if err != nil {
		return nil, err
	}
	body, err := s.open(ctx, s3Location{bucket: f.output.bucket, key: f.output.key + "manifest.json.out"})
	if err != nil || body == nil {
		return nil, err
	}
	defer body.Close()
	var m manifestFile
	if err := json.NewDecoder(body).Decode(&m); err != nil {
		return nil, fmt.Errorf("bedrockbatch: %s: manifest: %w", opJob, err)
	}
	return &m, nil
}

// open returns the object's body, or nil if there is no such object.
func (s *Service) open(ctx context.Context, loc s3Location) (io.ReadCloser, error) {
	out, err := s.objects.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(loc.bucket), Key: aws.String(loc.key),
		ExpectedBucketOwner: optString(s.opts.BucketOwner)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		if errors.As(err, &nsk) {
			return nil, nil
		}
		return nil, mapError(opResults, fmt.Errorf("get %s: %w", loc, err))
	}
	return out.Body, nil
}

// inputFiles lists the job's input files, by key.
func (s *Service) inputFiles(ctx context.Context, in s3Location) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		if !strings.HasSuffix(in.key, "/") && in.key != "" {
			yield(in.key, nil)
			return
		}
		p := s3.NewListObjectsV2Paginator(s.objects, &s3.ListObjectsV2Input{Bucket: aws.String(in.bucket), Prefix: aws.String(in.key),
			ExpectedBucketOwner: optString(s.opts.BucketOwner)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				yield("", mapError(opResults, fmt.Errorf("list %s: %w", in, err)))
				return
			}
			for _, o := range page.Contents {
				if k := aws.ToString(o.Key); strings.HasSuffix(k, ".jsonl") && !yield(k, nil) {
					return
				}
			}
		}
	}
}

// Results reads the job's output files, one for each input file, and yields each
// record's outcome as the file holds it: a Response parsed with bedrock.ParseResponse,
// or the record's error mapped to llm's categories (an *llm.ProviderError). It then reads
// the input file's record ids and yields the records without an output as
// [batch.ErrNotProcessed]. Files are streamed: memory holds one file's record ids, never
// its records. A record id that appears twice in one output file ends the iteration with
// an error.
func (s *Service) Results(ctx context.Context, id string) iter.Seq2[batch.Result, error] {
	return func(yield func(batch.Result, error) bool) {
		out, err := s.control.GetModelInvocationJob(ctx, &bedrock.GetModelInvocationJobInput{JobIdentifier: aws.String(id)})
		if err != nil {
			yield(batch.Result{}, mapError(opResults, err))
			return
		}
		files, err := filesOf(out)
		if err != nil {
			yield(batch.Result{}, err)
			return
		}
		for key, err := range s.inputFiles(ctx, files.input) {
			if err != nil {
				yield(batch.Result{}, err)
				return
			}
			if !s.fileResults(ctx, files, key, yield) {
				return
			}
		}
	}
}

// fileResults yields the results of one input file; false when the iteration must stop.
func (s *Service) fileResults(ctx context.Context, files jobFiles, inputKey string, yield func(batch.Result, error) bool) bool {
	rel := path.Base(inputKey)
	if strings.HasSuffix(files.input.key, "/") {
		rel = strings.TrimPrefix(inputKey, files.input.key)
	}
	seen := make(map[string]struct{})
	body, err := s.open(ctx, s3Location{bucket: files.output.bucket, key: files.output.key + rel + ".out"})
	if err != nil {
		return yield(batch.Result{}, err)
	}
	if body != nil {
		ok, err := s.readOutput(ctx, files.model, rel, body, seen, yield)
		body.Close()
		if err != nil {
			return yield(batch.Result{}, err)
		}
		if !ok {
			return false
		}
	}
	in, err := s.open(ctx, s3Location{bucket: files.input.bucket, key: inputKey})
	if err != nil || in == nil {
		if err == nil {
			err = fmt.Errorf("bedrockbatch: %s: input file %s is gone", opResults, inputKey)
		}
		return yield(batch.Result{}, err)
	}
	defer in.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(in, 64<<10))
	for {
		var line struct {
			RecordID string `json:"recordId"`
		}
		if err := dec.Decode(&line); err == io.EOF {
			return true
		} else if err != nil {
			return yield(batch.Result{}, fmt.Errorf("bedrockbatch: %s: input file %s: %w", opResults, inputKey, err))
		}
		if _, ok := seen[line.RecordID]; ok {
			continue
		}
		err := fmt.Errorf("bedrockbatch: record %q: %w", line.RecordID, batch.ErrNotProcessed)
		if !yield(batch.Result{ID: line.RecordID, Err: err}, nil) {
			return false
		}
	}
}

// readOutput yields the records of one output file and notes their ids in seen.
func (s *Service) readOutput(ctx context.Context, model, name string, body io.Reader, seen map[string]struct{}, yield func(batch.Result, error) bool) (bool, error) {
	dec := json.NewDecoder(bufio.NewReaderSize(body, 64<<10))
	for n := 1; ; n++ {
		var line outputLine
		if err := dec.Decode(&line); err == io.EOF {
			return true, nil
		} else if err != nil {
			return false, fmt.Errorf("bedrockbatch: %s: %s.out record %d: %w", opResults, name, n, err)
		}
		if _, dup := seen[line.RecordID]; dup {
			return false, fmt.Errorf("bedrockbatch: %s: %s.out record %d: record id %q written twice", opResults, name, n, line.RecordID)
		}
		seen[line.RecordID] = struct{}{}
		if !yield(s.result(ctx, model, line), nil) {
			return false, nil
		}
	}
}

// result turns one output record into a batch.Result.
func (s *Service) result(ctx context.Context, model string, line outputLine) batch.Result {
	r := batch.Result{ID: line.RecordID}
	switch {
	case line.Error != nil:
		r.Err = recordError(line.Error.status(), line.Error.Message)
	case len(line.ModelOutput) == 0 || string(line.ModelOutput) == "null":
		r.Err = recordError(500, "record has neither modelOutput nor error")
	default:
		out, err := s.codec.decode(ctx, model, line.ModelOutput)
		if err == nil {
			r.Response, err = bedrockrt.ParseResponse(out)
		}
		if err != nil {
			r.Err = recordError(500, fmt.Sprintf("unreadable modelOutput: %v", err))
		}
	}
	return r
}
