package bedrockbatch_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/bedrock/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
)

// BenchmarkStreamed writes and reads n records through a Service whose S3 and job API
// are files on disk (so that the heap measured is the client's alone) and reports the
// peak live heap of Submit and of reading the results. Records are streamed, never
// held: from 10,000 to 100,000 records reading stays flat (one file's ids, 10,000 here)
// and Submit grows by its set of id hashes only (tens of bytes a record). Run with
//
//	go test -run XXX -bench Streamed -benchtime 1x ./providers/bedrock/bedrockbatch/
func BenchmarkStreamed(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var submitPeak, readPeak uint64
			for b.Loop() {
				dir := b.TempDir()
				objs := &diskObjects{root: filepath.Join(dir, "s3")}
				svc, err := bedrockbatch.New(&diskJobs{objs: objs}, objs, &bedrockbatch.Options{
					RoleARN: "arn:aws:iam::1:role/r", InputURI: "s3://in/", OutputURI: "s3://out/", TempDir: dir,
					Limits: bedrockbatch.Limits{MaxRecords: 1 << 20, RecordsPerFile: 10_000},
				})
				if err != nil {
					b.Fatal(err)
				}
				var job *batch.Job
				submitPeak = max(submitPeak, peakHeap(func() {
					job, err = svc.Submit(context.Background(), model, generated(n), nil)
				}))
				if err != nil {
					b.Fatal(err)
				}
				count := 0
				readPeak = max(readPeak, peakHeap(func() {
					for r, rerr := range svc.Results(context.Background(), job.ID) {
						if rerr != nil || r.Err != nil {
							b.Fatal(rerr, r.Err)
						}
						count++
					}
				}))
				if count != n {
					b.Fatalf("read %d results, want %d", count, n)
				}
			}
			b.ReportMetric(float64(submitPeak)/(1<<20), "submit-peak-MiB")
			b.ReportMetric(float64(readPeak)/(1<<20), "read-peak-MiB")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
		})
	}
}

// generated yields n records without holding them.
func generated(n int) iter.Seq2[batch.Record, error] {
	return func(yield func(batch.Record, error) bool) {
		for i := range n {
			req := &llm.Request{Messages: []llm.Message{llm.SystemText("Classify the ticket."),
				llm.UserText(fmt.Sprintf("ticket %d: my parcel has not arrived and the tracking page says it was delivered", i))}}
			if !yield(batch.Record{ID: fmt.Sprintf("ticket-%d", i), Request: req}, nil) {
				return
			}
		}
	}
}

// peakHeap runs f and returns the highest live heap (as marked by each GC cycle) seen
// while it ran, sampled every millisecond, after a GC before f.
func peakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	read := func() {
		metrics.Read(sample)
		if v := sample[0].Value.Uint64(); v > peak.Load() {
			peak.Store(v)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	read()
	return peak.Load()
}

// diskObjects is an S3 of files under root: bucket/key.
type diskObjects struct{ root string }

func (d *diskObjects) path(bucket, key *string) string {
	return filepath.Join(d.root, aws.ToString(bucket), filepath.FromSlash(aws.ToString(key)))
}

func (d *diskObjects) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	p := d.path(in.Bucket, in.Key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	_, err = io.Copy(f, in.Body)
	return &s3.PutObjectOutput{}, err
}

func (d *diskObjects) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f, err := os.Open(d.path(in.Bucket, in.Key))
	if os.IsNotExist(err) {
		return nil, &s3types.NoSuchKey{}
	}
	if err != nil {
		return nil, err
	}
	return &s3.GetObjectOutput{Body: f}, nil
}

func (d *diskObjects) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	base := filepath.Join(d.root, aws.ToString(in.Bucket))
	out := &s3.ListObjectsV2Output{}
	err := filepath.WalkDir(base, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		if key := filepath.ToSlash(rel); strings.HasPrefix(key, aws.ToString(in.Prefix)) {
			out.Contents = append(out.Contents, s3types.Object{Key: aws.String(key)})
		}
		return nil
	})
	return out, err
}

// diskJobs is a job API whose jobs complete at once: CreateModelInvocationJob streams
// each input file into its output file with a fixed answer.
type diskJobs struct {
	objs *diskObjects
	mu   sync.Mutex
	jobs map[string]*bedrock.CreateModelInvocationJobInput
}

func (d *diskJobs) CreateModelInvocationJob(ctx context.Context, in *bedrock.CreateModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.CreateModelInvocationJobOutput, error) {
	id := "job" + aws.ToString(in.JobName)
	arn := "arn:aws:bedrock:us-east-1:1:model-invocation-job/" + id
	d.mu.Lock()
	if d.jobs == nil {
		d.jobs = map[string]*bedrock.CreateModelInvocationJobInput{}
	}
	d.jobs[arn] = in
	d.mu.Unlock()
	src := in.InputDataConfig.(*types.ModelInvocationJobInputDataConfigMemberS3InputDataConfig).Value.S3Uri
	bucket, prefix, _ := strings.Cut(strings.TrimPrefix(aws.ToString(src), "s3://"), "/")
	list, err := d.objs.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil {
		return nil, err
	}
	for _, o := range list.Contents {
		name := strings.TrimPrefix(aws.ToString(o.Key), prefix) + ".out"
		if err := answerFile(d.objs.path(&bucket, o.Key), filepath.Join(d.objs.root, "out", id, name)); err != nil {
			return nil, err
		}
	}
	return &bedrock.CreateModelInvocationJobOutput{JobArn: aws.String(arn)}, nil
}

// answerFile writes an output record with a fixed answer for each input record, one
// line at a time.
func answerFile(in, out string) error {
	src, err := os.Open(in)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	dst, err := os.Create(out)
	if err != nil {
		return err
	}
	defer dst.Close()
	w := bufio.NewWriter(dst)
	sc := bufio.NewScanner(src)
	sc.Buffer(nil, 1<<20)
	answer := json.RawMessage(`{"output":{"message":{"role":"assistant","content":[{"text":"delivery"}]}},"stopReason":"end_turn","usage":{"inputTokens":30,"outputTokens":1,"totalTokens":31},"metrics":{"latencyMs":120}}`)
	enc := json.NewEncoder(w)
	for sc.Scan() {
		var rec struct {
			RecordID   string          `json:"recordId"`
			ModelInput json.RawMessage `json:"modelInput"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return err
		}
		if err := enc.Encode(map[string]any{"recordId": rec.RecordID, "modelInput": rec.ModelInput, "modelOutput": answer}); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return w.Flush()
}

func (d *diskJobs) GetModelInvocationJob(_ context.Context, in *bedrock.GetModelInvocationJobInput, _ ...func(*bedrock.Options)) (*bedrock.GetModelInvocationJobOutput, error) {
	d.mu.Lock()
	c := d.jobs[aws.ToString(in.JobIdentifier)]
	d.mu.Unlock()
	if c == nil {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no job")}
	}
	return &bedrock.GetModelInvocationJobOutput{
		JobArn: in.JobIdentifier, JobName: c.JobName, ModelId: c.ModelId, RoleArn: c.RoleArn, Status: types.ModelInvocationJobStatusCompleted,
		InputDataConfig: c.InputDataConfig, OutputDataConfig: c.OutputDataConfig, SubmitTime: aws.Time(time.Now()),
	}, nil
}

func (d *diskJobs) StopModelInvocationJob(context.Context, *bedrock.StopModelInvocationJobInput, ...func(*bedrock.Options)) (*bedrock.StopModelInvocationJobOutput, error) {
	return &bedrock.StopModelInvocationJobOutput{}, nil
}

func (d *diskJobs) ListModelInvocationJobs(context.Context, *bedrock.ListModelInvocationJobsInput, ...func(*bedrock.Options)) (*bedrock.ListModelInvocationJobsOutput, error) {
	return &bedrock.ListModelInvocationJobsOutput{}, nil
}
