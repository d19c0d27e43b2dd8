package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"time"

	awsbedrock "github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrockbatch/batchtest"
)

const batchSynopsis = "llmkit batch submit|status|results|cancel|sim [flags] [arguments]"

const batchAbout = `
Runs many requests as one Amazon Bedrock batch inference job (about half the
on-demand price): requests are read as JSONL, uploaded to S3, processed by
Bedrock, and the results written as JSONL.

  submit [--wait] FILE   submit the requests of FILE ("-": standard input), one JSON
                         object a line: {"id": "t1", "messages": [...]} with messages
                         in llmkit's JSON form ({"role":"user","parts":[{"type":"text",
                         "text":"..."}]}) and optionally "model", "max_tokens",
                         "temperature", "top_p", "stop_sequences" and "reasoning"
                         ({"budget_tokens": N} or {"effort": "low"}). Prints the job ARN;
                         with --wait, follows the job (progress on standard error)
                         and writes the results.
  status JOB             print the job's state as JSON
  results JOB            write the results, one JSON object a line: {"id": …,
                         "response": {…}} or {"id": …, "error": {"category": …,
                         "message": …}}
  cancel JOB             stop the job; processed records keep their results
  sim [--addr A]         serve the local stand-in (the job API and S3) for --endpoint

JOB is the job ARN that submit prints. --local runs submit against a stand-in in
this process: no AWS account and no network.`

func runBatch(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fs := newFlagSet(e, "batch", batchSynopsis, batchAbout)
		if len(args) == 0 {
			fs.SetOutput(e.stderr)
			fs.Usage()
			return exitUsage
		}
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitOK
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "submit":
		return batchSubmit(ctx, e, rest)
	case "status", "results", "cancel":
		return batchJob(ctx, e, sub, rest)
	case "sim":
		return batchSim(ctx, e, rest)
	}
	fmt.Fprintf(e.stderr, "llmkit batch: unknown subcommand %q\nRun 'llmkit batch -h' for usage.\n", sub)
	return exitUsage
}

// batchFlags are the flags shared by the batch subcommands.
type batchFlags struct {
	// awsFlags configures the AWS clients as for the commands that call the runtime;
	// its endpoint is that of both the control plane and S3.
	awsFlags
	role, input, output string
	interval            time.Duration
	limits              bedrockbatch.Limits
	local               *batchtest.Server // set: use this in-process stand-in
}

func (b *batchFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&b.region, "region", "", "AWS `REGION` (default: AWS_REGION or the profile's region)")
	fs.StringVar(&b.profile, "profile", "", "`PROFILE` of the shared AWS config files")
	fs.StringVar(&b.endpoint, "endpoint", "", "`URL` of both the Bedrock control plane and S3, such as the one \"llmkit batch sim\" prints (default: AWS's)")
	fs.BoolVar(&b.debug, "debug", false, "print the AWS SDK's log on standard error")
	b.stderr = fs.Output()
}

// service builds the batch service on the AWS default configuration.
func (b *batchFlags) service(ctx context.Context) (*bedrockbatch.Service, error) {
	opts := &bedrockbatch.Options{RoleARN: b.role, InputURI: b.input, OutputURI: b.output, Limits: b.limits}
	if b.local != nil {
		return bedrockbatch.New(b.local.ControlClient(), b.local.S3Client(), opts)
	}
	// The same configuration as the commands that call the runtime: a loopback
	// endpoint gets throwaway credentials and a default region, and one nobody listens
	// on is reported at once.
	cfg, err := b.loadConfig(ctx, b.endpoint)
	if err != nil {
		return nil, err
	}
	if err := checkCredentials(ctx, cfg); err != nil {
		return nil, err
	}
	// The job API and S3 take SigV4 only (a Bedrock API key is for the runtime).
	sigv4 := func(o *awsbedrock.Options) {
		o.BearerAuthTokenProvider = nil
		o.AuthSchemePreference = []string{"sigv4"}
	}
	control := awsbedrock.NewFromConfig(cfg, sigv4)
	objects := s3.NewFromConfig(cfg)
	if b.endpoint != "" {
		control = awsbedrock.NewFromConfig(cfg, sigv4, batchtest.ControlOptions(b.endpoint))
		objects = s3.NewFromConfig(cfg, batchtest.S3Options(b.endpoint))
	}
	return bedrockbatch.New(control, objects, opts)
}

func batchJob(ctx context.Context, e *env, sub string, args []string) int {
	fs := newFlagSet(e, "batch "+sub, "llmkit batch "+sub+" [flags] JOB", "Runs the "+sub+" subcommand; see 'llmkit batch -h'.")
	var b batchFlags
	b.register(fs)
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, fs, "want one job ARN, got %d arguments", fs.NArg())
	}
	ctx, stop := interruptible(ctx, e)
	defer stop()
	svc, err := b.service(ctx)
	if err != nil {
		return report(e.stderr, "batch "+sub, err)
	}
	id := fs.Arg(0)
	switch sub {
	case "status":
		var job *batch.Job
		if job, err = svc.Job(ctx, id); err == nil {
			err = printJob(e.stdout, job)
		}
	case "results":
		_, err = writeResults(e.stdout, svc.Results(ctx, id))
	case "cancel":
		if err = svc.Cancel(ctx, id); err == nil {
			fmt.Fprintf(e.stdout, "stopping %s\n", id)
		}
	}
	if err != nil {
		return report(e.stderr, "batch "+sub, err)
	}
	return exitOK
}

func batchSubmit(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "batch submit", "llmkit batch submit --model ID --role ARN --input s3://… --output s3://… [--wait] FILE", batchAbout)
	var b batchFlags
	b.register(fs)
	model := fs.String("model", "", "Bedrock model `ID` (or inference profile) the job runs")
	fs.StringVar(&b.role, "role", "", "`ARN` of the service role Bedrock assumes to read and write S3")
	fs.StringVar(&b.input, "input", "", "S3 `FOLDER` (s3://bucket/prefix/) the input files are uploaded under")
	fs.StringVar(&b.output, "output", "", "S3 `FOLDER` Bedrock writes the results under")
	name := fs.String("name", "", "job `NAME` (default: llmkit-<time>-<random>)")
	token := fs.String("token", "", "idempotency `TOKEN`: submitting again with it returns the first job")
	minRecords := fs.Int("min-records", 0, "the model's minimum records per job (default: Bedrock's default quota, 100)")
	perFile := fs.Int("records-per-file", 0, "records per input file (default: Bedrock's default quota, 50000)")
	fs.DurationVar(&b.interval, "interval", 30*time.Second, "how often to poll the job with --wait")
	wait := fs.Bool("wait", false, "follow the job to its end and write its results on standard output")
	local := fs.Bool("local", false, "run against a stand-in in this process (no AWS, no network); implies --wait")
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return usageError(e, fs, "want one requests file (or - for standard input), got %d arguments", fs.NArg())
	}
	ctx, stop := interruptible(ctx, e)
	defer stop()
	if *local {
		srv, err := batchtest.StartServer(nil)
		if err != nil {
			return report(e.stderr, "batch submit", err)
		}
		defer srv.Close()
		b.local, b.interval, *wait = srv, 20*time.Millisecond, true
		b.role, b.input, b.output = "arn:aws:iam::123456789012:role/local", "s3://local/in/", "s3://local/out/"
		if *model == "" {
			*model = "us.anthropic.claude-haiku-4-5-20251001-v1:0"
		}
		if *minRecords == 0 {
			*minRecords = 1
		}
	}
	if *model == "" {
		return usageError(e, fs, "--model is required")
	}
	in, closeIn, err := openInput(e, fs.Arg(0))
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	defer closeIn()
	b.limits = bedrockbatch.Limits{MinRecords: *minRecords, RecordsPerFile: *perFile}
	svc, err := b.service(ctx)
	if err != nil {
		return report(e.stderr, "batch submit", err)
	}
	job, err := svc.Submit(ctx, *model, readRequests(in), &batch.SubmitOptions{Name: *name, Token: *token})
	if err != nil {
		var re *batch.RecordError
		if errors.As(err, &re) || errors.Is(err, batch.ErrEmpty) || errors.Is(err, batch.ErrTooFew) || errors.Is(err, batch.ErrTooMany) {
			// Bad input: exit code 2, as for a bad flag.
			err = &usageErr{err.Error()}
		}
		return report(e.stderr, "batch submit", err)
	}
	for _, w := range job.Warnings {
		fmt.Fprintf(e.stderr, "llmkit batch submit: record %s: warning: %s\n", w.ID, w.Warning.String())
	}
	if !*wait {
		fmt.Fprintln(e.stdout, job.ID)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "submitted %s\n", job.ID)
	end, err := follow(ctx, e.stderr, svc, job.ID, b.interval)
	if err != nil {
		return report(e.stderr, "batch submit", err)
	}
	failed, err := writeResults(e.stdout, svc.Results(ctx, job.ID))
	if err != nil {
		return report(e.stderr, "batch submit", err)
	}
	if end.Status != batch.StatusCompleted || failed > 0 {
		fmt.Fprintf(e.stderr, "llmkit batch submit: job %s ended %s with %d records failed or not processed %s\n", end.Name, end.Status, failed, end.Message)
		return exitFailure
	}
	return exitOK
}

// follow prints the job's progress whenever it changes, until it ends.
func follow(ctx context.Context, w io.Writer, svc batch.Service, id string, interval time.Duration) (*batch.Job, error) {
	var last *batch.Job
	prev := ""
	for job, err := range batch.Follow(ctx, svc, id, interval) {
		if err != nil {
			return nil, err
		}
		c := job.Counts
		line := fmt.Sprintf("%s: %s, %d/%d records processed (%d ok, %d failed)", job.Name, job.Status, c.Processed, c.Total, c.Succeeded, c.Failed)
		if line != prev {
			fmt.Fprintln(w, line)
			prev = line
		}
		last = job
	}
	return last, nil
}

func printJob(w io.Writer, job *batch.Job) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(job)
}

// requestLine is one line of the requests file.
type requestLine struct {
	ID            string         `json:"id"`
	Model         string         `json:"model,omitempty"`
	Messages      []llm.Message  `json:"messages"`
	MaxTokens     int            `json:"max_tokens,omitempty"`
	Temperature   *float64       `json:"temperature,omitempty"`
	TopP          *float64       `json:"top_p,omitempty"`
	StopSequences []string       `json:"stop_sequences,omitempty"`
	Reasoning     *reasoningLine `json:"reasoning,omitempty"`
}

type reasoningLine struct {
	BudgetTokens int    `json:"budget_tokens,omitempty"`
	Effort       string `json:"effort,omitempty"`
}

// readRequests streams the requests of r; a line that is not a request is an error
// naming the line, and unknown fields are errors rather than dropped.
func readRequests(r io.Reader) iter.Seq2[batch.Record, error] {
	return func(yield func(batch.Record, error) bool) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64<<10), 256<<20)
		for n := 1; sc.Scan(); n++ {
			if strings.TrimSpace(sc.Text()) == "" {
				continue
			}
			var l requestLine
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&l); err != nil {
				yield(batch.Record{}, &usageErr{fmt.Sprintf("requests line %d: %v", n, err)})
				return
			}
			req := &llm.Request{Model: l.Model, Messages: l.Messages, MaxTokens: l.MaxTokens,
				Temperature: l.Temperature, TopP: l.TopP, StopSequences: l.StopSequences}
			if l.Reasoning != nil {
				req.Reasoning = &llm.ReasoningConfig{BudgetTokens: l.Reasoning.BudgetTokens, Effort: llm.ReasoningEffort(l.Reasoning.Effort)}
			}
			if !yield(batch.Record{ID: l.ID, Request: req}, nil) {
				return
			}
		}
		if err := sc.Err(); err != nil {
			yield(batch.Record{}, err)
		}
	}
}

// resultLine is one line of the results.
type resultLine struct {
	ID       string        `json:"id"`
	Response *llm.Response `json:"response,omitempty"`
	Error    *errorLine    `json:"error,omitempty"`
}

type errorLine struct {
	Category string `json:"category"`
	Status   int    `json:"status,omitempty"`
	Message  string `json:"message"`
}

// writeResults writes the results as JSONL and returns how many records failed.
func writeResults(w io.Writer, results iter.Seq2[batch.Result, error]) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	failed := 0
	for r, err := range results {
		if err != nil {
			bw.Flush()
			return failed, err
		}
		line := resultLine{ID: r.ID, Response: r.Response}
		if r.Err != nil {
			failed++
			line.Error = errorOf(r.Err)
		}
		if err := enc.Encode(line); err != nil {
			return failed, err
		}
	}
	return failed, bw.Flush()
}

func errorOf(err error) *errorLine {
	l := &errorLine{Category: "unknown", Message: err.Error()}
	var pe *llm.ProviderError
	switch {
	case errors.Is(err, batch.ErrNotProcessed):
		l.Category = "not processed"
	case errors.As(err, &pe):
		l.Status, l.Message = pe.StatusCode, pe.Message
		if pe.Category != nil {
			l.Category = pe.Category.Error()
		}
	}
	return l
}

// openInput opens the requests file, or standard input for "-".
func openInput(e *env, path string) (io.Reader, func(), error) {
	if path == "-" {
		return e.stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func batchSim(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "batch sim", "llmkit batch sim [--addr 127.0.0.1:PORT]", `
Serves the local stand-in for Bedrock batch inference — the model invocation job API
and S3, on one loopback address — until Ctrl-C or SIGTERM. Records are answered by the
echo of the Bedrock Runtime simulator. Point the other batch subcommands at it with
--endpoint and any credentials.`)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on; port 0 picks a free one")
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	listen, err := loopbackAddr(*addr)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	srv, err := batchtest.StartServer(&batchtest.Options{Addr: listen})
	if err != nil {
		return report(e.stderr, "batch sim", err)
	}
	defer srv.Close()
	fmt.Fprintf(e.stdout, "batch stand-in on %s\nTry:\n  llmkit batch submit --endpoint %s --role arn:aws:iam::123456789012:role/r --input s3://in/ --output s3://out/ --model any --min-records 1 --wait FILE\nStop with Ctrl-C.\n", srv.URL, srv.URL)
	ctx, stop := interruptible(ctx, e)
	defer stop()
	<-ctx.Done()
	return exitOK
}
