package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// The recorded conversation the demo replays: Claude Haiku 4.5 on Amazon Bedrock,
// asked to add 2 and 3 with a tool.
const (
	demoModel    = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
	demoModelDir = "anthropic_claude_haiku_4_5_20251001_v1_0"
	demoPrompt   = "Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."
)

// demoFixtures are the recorded exchanges, one per model call, in order.
var demoFixtures = []string{"tool_round_trip_1.json", "tool_round_trip_2.json"}

const demoSynopsis = "llmkit demo [--pace DURATION] [--stream=false]"

const demoAbout = `
Runs an agent with a real Go tool ("add") against a recorded Amazon Bedrock
conversation with Claude Haiku 4.5, and streams the answer as it arrives.
Needs no AWS account, no credentials and no network: a Bedrock Runtime
simulator on 127.0.0.1 answers the real AWS SDK client with the recorded
answers, and checks that each request the agent sends matches the recorded one.

The answers were recorded with Converse (not streamed). By default the
simulator serves each one as a ConverseStream event stream built from the
recorded answer, cut into small deltas; --stream=false calls Converse instead
and the simulator replays the recorded bytes exactly.`

// addInput is the input of the demo's add tool.
type addInput struct {
	A int `json:"a"`
	B int `json:"b"`
}

// newAddTool returns the demo's tool, which adds two integers.
func newAddTool() (agent.Tool, error) {
	return agent.NewTool("add", "Add two integers", func(_ context.Context, in addInput) (int, error) {
		return in.A + in.B, nil
	})
}

func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "demo", demoSynopsis, demoAbout)
	pace := fs.Duration("pace", 20*time.Millisecond, "delay between streamed events, to watch the stream arrive (0: none)")
	stream := fs.Bool("stream", true, "stream the answers (ConverseStream); false calls Converse and replays the recorded bytes exactly")
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(e, fs, "unexpected argument %q", fs.Arg(0))
	}
	if *pace < 0 {
		return usageError(e, fs, "--pace %v: want a duration of 0 or more", *pace)
	}
	ctx, stop := interruptible(ctx, e)
	defer stop()
	if err := demo(ctx, e.stdout, demoConfig{stream: *stream, shape: streamShape{split: 4, pace: *pace}, prompt: demoPrompt}); err != nil {
		return report(e.stderr, "demo", err)
	}
	return exitOK
}

// demoAllow lists the intended differences between the requests the agent sends and
// the recorded ones. There are none: llmkit sends what was recorded.
var demoAllow []bedrocktest.Allow

// demoConfig says how the demo runs.
type demoConfig struct {
	stream bool        // streamed answers (ConverseStream), or Converse with the recorded bytes
	shape  streamShape // how streamed answers are cut and paced
	prompt string      // the user's prompt; the recorded one is demoPrompt
}

func demo(ctx context.Context, w io.Writer, cfg demoConfig) error {
	stream := cfg.stream
	fixtures := make([]*bedrocktest.Fixture, len(demoFixtures))
	for i, name := range demoFixtures {
		f, err := bedrocktest.LoadFixture(bedrocktest.Fixtures(), demoModelDir+"/"+name)
		if err != nil {
			return err
		}
		fixtures[i] = f
	}

	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	log := &mismatchLog{}
	for _, f := range fixtures {
		if stream {
			resp, err := recordedResponse(ctx, f)
			if err != nil {
				return err
			}
			srv.Enqueue(asStream(f, resp, cfg.shape, demoAllow, log))
		} else {
			srv.Enqueue(f.Reply(&bedrocktest.ReplayOptions{Allow: demoAllow}))
		}
	}
	model := bedrock.New(srv.Client(nil), nil)
	add, err := newAddTool()
	if err != nil {
		return err
	}

	how := "The answers were recorded without streaming; the simulator streams them as\n" +
		"  ConverseStream events cut into small deltas (the streaming is simulated, the\n" +
		"  words are the model's)."
	if !stream {
		how = "The simulator replays the recorded Converse responses byte for byte."
	}
	fmt.Fprintf(w, `llmkit demo: an agent with a real Go tool, on a recorded Amazon Bedrock conversation.

  Simulated: the model. No AWS account, credentials or network are used: a Bedrock
  Runtime simulator on %s answers with what Claude Haiku 4.5
  (%s) answered when this
  conversation was recorded on Amazon Bedrock.
  %s
  Real: the AWS SDK client and llmkit's bedrock.Model, talking HTTP to the simulator
  (which checks each request against the recorded one), the agent loop, and the add
  tool: Go code that computes the sum.

`, strings.TrimPrefix(srv.URL, "http://"), demoModel, how)

	req := &llm.Request{
		Model:       demoModel,
		Messages:    []llm.Message{llm.UserText(cfg.prompt)},
		MaxTokens:   150,
		Temperature: llm.Ptr(0.0),
	}
	fmt.Fprintf(w, "user: %s\n", cfg.prompt)

	out := &transcript{w: w}
	var res *agent.Result
	if stream {
		res, err = demoStream(ctx, model, add, req, out)
	} else {
		res, err = demoRun(ctx, model, add, req, out)
	}
	out.endLine()
	if err != nil {
		return err
	}

	calls := 0
	for _, m := range res.Messages {
		calls += len(m.ToolCalls())
	}
	fmt.Fprintf(w, "\ndone: %s, %s, %d input + %d output tokens (as recorded).\n",
		plural(res.Steps, "model call"), plural(calls, "tool call"), res.Usage.InputTokens, res.Usage.OutputTokens)

	var problems []string
	if stream {
		_, problems = log.result()
	} else {
		for _, m := range srv.Mismatches() {
			problems = append(problems, m.String())
		}
	}
	if err := srv.Check(); err != nil && len(problems) == 0 {
		problems = append(problems, err.Error())
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(w, "warning: request differs from the recording: %s\n", p)
		}
		return nil
	}
	fmt.Fprintf(w, "check: the %d requests the agent sent match the recorded ones (compared as JSON).\n", len(fixtures))
	return nil
}

// demoStream runs the agent with streamed answers, writing them as they arrive.
func demoStream(ctx context.Context, m llm.Model, add agent.Tool, req *llm.Request, out *transcript) (*agent.Result, error) {
	a := agent.New(m, &agent.Options{Tools: []agent.Tool{add}, Logger: discardLogger()})
	var res *agent.Result
	for ev, err := range a.Stream(ctx, req) {
		if err != nil {
			return nil, err
		}
		if r := out.event(ev); r != nil {
			res = r
		}
	}
	if res == nil {
		return nil, fmt.Errorf("the agent stopped without a result")
	}
	return res, nil
}

// demoRun runs the agent with whole (non-streamed) answers, writing each as it comes.
func demoRun(ctx context.Context, m llm.Model, add agent.Tool, req *llm.Request, out *transcript) (*agent.Result, error) {
	a := agent.New(m, &agent.Options{
		Tools:       []agent.Tool{add},
		Parallelism: 1,
		Logger:      discardLogger(),
		AfterModel: func(_ context.Context, _ int, resp *llm.Response) error {
			out.text(resp.Text())
			out.endLine()
			for _, w := range resp.Warnings {
				out.note("warning: " + w.String())
			}
			return nil
		},
		BeforeTool: func(_ context.Context, call llm.ToolCall) error {
			out.toolCall(call)
			return nil
		},
		AfterTool: func(_ context.Context, _ llm.ToolCall, r *llm.ToolResult) {
			out.toolResult(*r)
		},
	})
	return a.Run(ctx, req)
}

// transcript writes a conversation as it happens: the assistant's text as it arrives,
// and a line per tool call and result.
type transcript struct {
	w      io.Writer
	inText bool // an assistant line is open
}

// event writes one event of a streamed agent run: answer text as it arrives, stream
// warnings, tool calls and results, a line end after each step. It returns the run's
// result when ev is the final [agent.Done].
func (t *transcript) event(ev agent.Event) *agent.Result {
	switch ev := ev.(type) {
	case agent.ModelEvent:
		switch me := ev.Event.(type) {
		case llm.TextDelta:
			t.text(me.Text)
		case llm.Warning:
			t.note("warning: " + me.String())
		}
	case agent.ToolStarted:
		t.toolCall(ev.Call)
	case agent.ToolFinished:
		t.toolResult(ev.Result)
	case agent.StepDone:
		t.endLine()
	case agent.Done:
		return ev.Result
	}
	return nil
}

func (t *transcript) text(s string) {
	if s == "" {
		return
	}
	if !t.inText {
		io.WriteString(t.w, "assistant: ")
		t.inText = true
	}
	io.WriteString(t.w, s)
}

func (t *transcript) endLine() {
	if t.inText {
		io.WriteString(t.w, "\n")
		t.inText = false
	}
}

func (t *transcript) note(s string) {
	t.endLine()
	fmt.Fprintf(t.w, "%s\n", s)
}

func (t *transcript) toolCall(c llm.ToolCall) {
	t.endLine()
	fmt.Fprintf(t.w, "  -> tool call: %s(%s)\n", c.Name, c.Input)
}

func (t *transcript) toolResult(r llm.ToolResult) {
	t.endLine()
	var b strings.Builder
	for _, p := range r.Content {
		b.WriteString(partSummary(p))
	}
	if r.IsError {
		fmt.Fprintf(t.w, "  <- tool error: %s\n", b.String())
		return
	}
	fmt.Fprintf(t.w, "  <- tool result: %s\n", b.String())
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
