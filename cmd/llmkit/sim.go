package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

const simSynopsis = "llmkit sim [--addr 127.0.0.1:PORT] [--script FILE | --fixtures DIR | --recorded] [--quiet]"

const simAbout = `
Serves the Bedrock Runtime API (Converse, ConverseStream, InvokeModel and
InvokeModelWithResponseStream, with real event-stream framing) on a loopback
address, for programs in any language and for "llmkit chat --endpoint". Any
credentials are accepted, but requests must be signed (SigV4) or carry a bearer
token. It listens on loopback only and refuses other addresses.

Answers:
  default      echo: each answer is the text of the request's last user message.
  --script     the replies in a JSON script FILE: text, tool calls, reasoning,
               errors, pacing and stream faults, in order or per model id, and
               rules matching requests; see the format in the README or in
               "go doc github.com/llmkit/llmkit/providers/bedrock/bedrocktest.Script".
  --fixtures   recorded exchanges: every *.json fixture under DIR (the format of
               providers/bedrock/bedrocktest/testdata/fixtures). A request gets the
               fixture recorded for the same model id and operation whose request
               body is the same JSON (member order and number spelling aside);
               a ConverseStream request may also get a Converse recording, served
               as a stream built from the recorded answer. A request that matches
               no recording gets a 400 ValidationException naming the closest
               recording and how it differs (an unknown model gets Bedrock's
               "The provided model identifier is invalid.").
  --recorded   the same, with the recordings shipped with llmkit.

It stops on Ctrl-C (SIGINT) or SIGTERM and then exits with 0.`

func runSim(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "sim", simSynopsis, simAbout)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `HOST:PORT` to listen on; port 0 picks a free one")
	dir := fs.String("fixtures", "", "serve the recorded exchanges in `DIR` (searched recursively for *.json)")
	recorded := fs.Bool("recorded", false, "serve the recorded exchanges shipped with llmkit")
	scriptFile := fs.String("script", "", "answer with the replies of the JSON script `FILE`")
	quiet := fs.Bool("quiet", false, "do not log each request on standard error")
	chatCompletions := fs.Bool("openai", false, "speak OpenAI's Chat Completions protocol instead of Bedrock's (answers by echo)")
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *chatCompletions {
		if countSet(*dir != "", *recorded, *scriptFile != "") > 0 {
			return usageError(e, fs, "--openai answers by echo; --script, --fixtures and --recorded are for the Bedrock simulator")
		}
		return runOpenAISim(ctx, e, fs, *addr)
	}
	if n := countSet(*dir != "", *recorded, *scriptFile != ""); n > 1 {
		return usageError(e, fs, "--script, --fixtures and --recorded exclude each other")
	}
	if *dir != "" {
		if st, err := os.Stat(*dir); err != nil {
			return usageError(e, fs, "--fixtures %s: %v", *dir, errors.Unwrap(err))
		} else if !st.IsDir() {
			return usageError(e, fs, "--fixtures %s: not a directory (want a directory of *.json fixtures)", *dir)
		}
	}
	var script *bedrocktest.Script
	if *scriptFile != "" {
		sc, err := bedrocktest.LoadScript(*scriptFile)
		if err != nil {
			return usageError(e, fs, "--script %v", err)
		}
		script = sc
	}
	listen, err := loopbackAddr(*addr)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}

	def := bedrocktest.Echo()
	answers := "echo: each answer is the text of the request's last user message"
	var models []string
	if script != nil {
		answers = "the replies of the script " + *scriptFile
	}
	if *dir != "" || *recorded {
		var fsys iofs.FS
		where := "the recordings shipped with llmkit"
		if *recorded {
			fsys = bedrocktest.Fixtures()
		} else {
			fsys = os.DirFS(*dir)
			where = *dir
		}
		idx, err := loadFixtures(ctx, fsys)
		if err != nil {
			return usageError(e, fs, "loading the recordings of %s: %v", where, err)
		}
		if len(idx.fixtures) == 0 {
			return usageError(e, fs, "no fixture (*.json) found in %s", where)
		}
		def = bedrocktest.Func(idx.reply)
		models = idx.models()
		answers = fmt.Sprintf("%d recorded exchanges from %s, for %s", len(idx.fixtures), where, strings.Join(models, ", "))
	}
	logw := &lockedWriter{w: e.stderr}
	opts := &bedrocktest.Options{Addr: listen, Default: def}
	if !*quiet {
		opts.Logf = func(format string, args ...any) {
			fmt.Fprintf(logw, strings.TrimSuffix(format, "\n")+"\n", args...)
		}
	}
	srv, err := bedrocktest.StartServer(opts)
	if err != nil {
		return report(e.stderr, "sim", fmt.Errorf("--addr %s: %w", *addr, err))
	}
	if script != nil {
		script.Install(srv)
	}
	printSimBanner(e.stdout, srv.URL, answers, models)

	select {
	case <-ctx.Done():
	case <-e.interrupts:
	}
	srv.Close()
	fmt.Fprintf(e.stdout, "llmkit sim: stopped after %d requests\n", len(srv.Requests()))
	return exitOK
}

// runOpenAISim serves Chat Completions on addr, answering each request with the text of
// its last user message, until Ctrl-C.
func runOpenAISim(ctx context.Context, e *env, fs *flag.FlagSet, addr string) int {
	listen, err := loopbackAddr(addr)
	if err != nil {
		return usageError(e, fs, "%v", err)
	}
	srv, err := openaitest.StartServer(listen)
	if err != nil {
		return report(e.stderr, "sim", fmt.Errorf("--addr %s: %w", addr, err))
	}
	srv.SetFallback(openaitest.Echo())
	fmt.Fprintf(e.stdout, `llmkit sim: Chat Completions simulator listening on %[1]s
Answers: echo: each answer is the text of the request's last user message.
Point a client at it; any API key works:
  export OPENAI_BASE_URL=%[1]s OPENAI_API_KEY=sim
  llmkit chat --endpoint %[1]s --model openai:MODEL   (llmkit needs no key for a loopback endpoint)
Stop with Ctrl-C.
`, srv.URL())
	select {
	case <-ctx.Done():
	case <-e.interrupts:
	}
	srv.Close()
	fmt.Fprintf(e.stdout, "llmkit sim: stopped after %d requests\n", len(srv.Requests()))
	return exitOK
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}

// printSimBanner tells how to point clients at the simulator at url. With recordings
// (models not empty) it suggests no chat: a request must match a recorded one, which
// chat's and ask's requests never do.
func printSimBanner(w io.Writer, url, answers string, models []string) {
	fmt.Fprintf(w, `llmkit sim: Bedrock Runtime simulator listening on %[1]s
Answers: %[2]s.
Point a client at it; any credentials work, but there must be some to sign with:
  export AWS_ENDPOINT_URL_BEDROCK_RUNTIME=%[1]s
  export AWS_ACCESS_KEY_ID=sim AWS_SECRET_ACCESS_KEY=sim AWS_REGION=us-east-1
`, url, answers)
	if len(models) == 0 {
		fmt.Fprintf(w, `  aws bedrock-runtime converse --endpoint-url %[1]s --model-id MODEL_ID \
    --messages '[{"role":"user","content":[{"text":"Hello"}]}]'
  llmkit chat --endpoint %[1]s --model MODEL_ID   (llmkit needs no keys for a loopback endpoint)
`, url)
	} else {
		fmt.Fprintf(w, `A request is answered only when it matches a recorded request (model id, operation,
body as JSON), so send the requests of the recordings, e.g. with the SDK of your
language; "llmkit chat" and "llmkit ask" send other requests and get a
ValidationException naming the closest recording. "llmkit conformance --replay"
replays them in-process.
`)
	}
	fmt.Fprintf(w, "In Go, set BaseEndpoint in bedrockruntime.Options (or aws.Config) to %s.\nStop with Ctrl-C.\n", url)
}

// loopbackAddr checks that addr is host:port with a loopback host, and returns it with
// "localhost" spelled 127.0.0.1. Host names other than localhost are refused rather
// than resolved.
func loopbackAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--addr %q: want HOST:PORT, e.g. 127.0.0.1:8080", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--addr %q: the port must be a number from 0 to 65535", addr)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	const why = "the simulator accepts any credentials and must not be reachable from other machines; use 127.0.0.1:PORT or [::1]:PORT"
	if host == "" {
		return "", fmt.Errorf("--addr %q listens on every interface: %s", addr, why)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return "", fmt.Errorf("--addr %q: %q is not an IP address (only localhost is accepted as a name): %s", addr, host, why)
	}
	if !ip.IsLoopback() {
		return "", fmt.Errorf("--addr %q: %s is not a loopback address: %s", addr, host, why)
	}
	return net.JoinHostPort(host, port), nil
}

// lockedWriter serialises writes from the simulator's handlers.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fixtureIndex answers requests with recorded exchanges.
type fixtureIndex struct {
	fixtures []*bedrocktest.Fixture
	// answers holds, for each successful converse fixture, its recorded answer in
	// neutral form, to serve it as a stream.
	answers map[*bedrocktest.Fixture]*llm.Response
}

// loadFixtures reads every *.json file under fsys (README files and others are
// skipped) as a fixture. A file that is not a valid fixture is an error naming it.
func loadFixtures(ctx context.Context, fsys iofs.FS) (*fixtureIndex, error) {
	idx := &fixtureIndex{answers: map[*bedrocktest.Fixture]*llm.Response{}}
	err := iofs.WalkDir(fsys, ".", func(path string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".json") {
			return nil
		}
		f, err := bedrocktest.LoadFixture(fsys, path)
		if err != nil {
			return err
		}
		f.Name = path
		idx.fixtures = append(idx.fixtures, f)
		if f.Operation() == bedrocktest.OpConverse && f.Response.Status == 200 {
			resp, err := recordedResponse(ctx, f)
			if err != nil {
				return err
			}
			idx.answers[f] = resp
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

func (x *fixtureIndex) models() []string {
	var ms []string
	for _, f := range x.fixtures {
		if !slices.Contains(ms, f.ModelID()) {
			ms = append(ms, f.ModelID())
		}
	}
	sort.Strings(ms)
	return ms
}

// reply chooses the recording that answers req; see simAbout for the rules.
func (x *fixtureIndex) reply(req bedrocktest.Request) bedrocktest.ServerReply {
	var closest *bedrocktest.Fixture
	var closestDiff []bedrocktest.Mismatch
	sameModel := false
	for _, f := range x.fixtures {
		if f.ModelID() != req.Model {
			continue
		}
		sameModel = true
		op := f.Operation()
		streamable := op == bedrocktest.OpConverse && req.Op == bedrocktest.OpConverseStream && x.answers[f] != nil
		if op != req.Op && !streamable {
			continue
		}
		ms, err := compareRequest(f, req, nil)
		if err != nil {
			continue
		}
		if len(ms) == 0 {
			if op == req.Op {
				return f.Reply(nil)
			}
			return asStream(f, x.answers[f], streamShape{}, nil, nil)
		}
		if closest == nil || len(ms) < len(closestDiff) {
			closest, closestDiff = f, ms
		}
	}
	switch {
	case !sameModel:
		return bedrocktest.Error(bedrocktest.ValidationException, fmt.Sprintf(
			"The provided model identifier is invalid. (llmkit sim: no recording for model %q; recorded models: %s)",
			req.Model, strings.Join(x.models(), ", ")))
	case closest == nil:
		return bedrocktest.Error(bedrocktest.ValidationException, fmt.Sprintf(
			"llmkit sim: no recording of a %s request for model %q", req.Op, req.Model))
	}
	diffs := make([]string, 0, 3)
	for i, m := range closestDiff {
		if i == 3 {
			diffs = append(diffs, fmt.Sprintf("and %d more", len(closestDiff)-3))
			break
		}
		diffs = append(diffs, fmt.Sprintf("%s: want %s, got %s", m.Path, m.Want, m.Got))
	}
	return bedrocktest.Error(bedrocktest.ValidationException, fmt.Sprintf(
		"llmkit sim: no recording matches this %s request for model %q; the closest, %s, differs at %s",
		req.Op, req.Model, closest.Name, strings.Join(diffs, "; ")))
}
