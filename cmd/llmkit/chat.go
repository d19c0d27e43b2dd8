package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
)

const chatSynopsis = "llmkit chat --model ID [--region REGION] [--profile PROFILE] [--endpoint URL] [--system TEXT] [--max-tokens N] [--tools] [--mcp SERVER]..."

const chatAbout = `
Chats with a model on Amazon Bedrock, streaming each answer as it arrives and
sending the whole conversation every turn. Credentials come from the AWS default
chain (environment, ~/.aws config and credentials, SSO, container or instance
role); AWS_BEARER_TOKEN_BEDROCK (a Bedrock API key) is used when set and the
endpoint is https. --endpoint points at any Bedrock-compatible endpoint, such as
the one "llmkit sim" prints; a loopback endpoint needs no AWS account.

With --tools the model may call two built-in demo tools, add (two numbers) and
word_count (a text): each turn runs the tool loop (package agent), printing a
line per tool call and result, and enters the conversation whole, tool calls
included, once it succeeds. "llmkit sim --script" can script the calls. Each
--mcp (repeatable) adds the tools of an MCP server, the same way: an http(s) URL
(streamable HTTP) or a command line run over stdio.

Type a message and press Enter. Commands:
  /reset         forget the conversation
  /history       show the conversation so far
  /save FILE     save the conversation as JSON
  /load FILE     replace the conversation with one saved by /save
  /help          list the commands
  /quit          leave (so do end of input, Ctrl-D, and Ctrl-C twice at the prompt)
A message starting with "/" is sent by typing "//" instead.
Ctrl-C while an answer streams cancels that answer, which is then not kept in the
conversation. chat exits with 0, or with the code of the last turn that failed.`

const chatHelp = `/reset  /history  /save FILE  /load FILE  /help  /quit
Ctrl-C cancels the answer being written; Ctrl-C twice at the prompt, /quit or Ctrl-D leaves.`

func runChat(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "chat", chatSynopsis, chatAbout)
	var aws awsFlags
	model := fs.String("model", "", "model `ID` (required): a Bedrock model id, inference profile or ARN, or PROVIDER:ID such as openai:gpt-4o")
	system := fs.String("system", "", "`TEXT` of the system prompt")
	maxTokens := fs.Int("max-tokens", 0, "cap each answer at `N` tokens (0: the model's default)")
	withTools := fs.Bool("tools", false, "let the model call the built-in demo tools add and word_count")
	var servers mcpFlag
	fs.Var(&servers, "mcp", "MCP `SERVER` whose tools the model may call: an http(s) URL or a command line (repeatable)")
	aws.register(fs)
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	switch {
	case *model == "":
		return usageError(e, fs, "--model is required (e.g. --model us.anthropic.claude-haiku-4-5-20251001-v1:0)")
	case fs.NArg() > 0:
		return usageError(e, fs, "unexpected argument %q", fs.Arg(0))
	case *maxTokens < 0:
		return usageError(e, fs, "--max-tokens %d: want 0 or more", *maxTokens)
	}
	cctx, stop := interruptible(ctx, e) // Ctrl-C while finding credentials stops chat
	cl, err := connectModel(cctx, &aws, *model, nil)
	stop()
	if err != nil {
		return report(e.stderr, "chat", err)
	}
	defaults := &llm.Request{Model: cl.id, MaxTokens: *maxTokens}
	if *system != "" {
		defaults.Messages = []llm.Message{llm.SystemText(*system)}
	}
	sess := agent.NewSession(cl.model, defaults)
	sess.SetLogger(discardLogger())
	where := cl.where
	c := &chat{e: e, sess: sess}
	var tools []agent.Tool
	if *withTools {
		if tools, err = demoTools(); err != nil {
			return report(e.stderr, "chat", err)
		}
	}
	if len(servers) > 0 {
		cctx, stop := interruptible(ctx, e)
		mcpTools, closeMCP, err := connectMCP(cctx, servers, e.stderr)
		stop()
		if err != nil {
			return report(e.stderr, "chat", err)
		}
		defer closeMCP()
		tools = append(tools, mcpTools...)
	}
	if *withTools || len(servers) > 0 {
		c.agent = agent.New(cl.model, &agent.Options{Tools: tools, Logger: discardLogger()})
		where += "; tools: " + toolNames(tools)
	}
	fmt.Fprintf(e.stdout, "Chatting with %s (%s). /help lists the commands; Ctrl-D or /quit leaves.\n", *model, where)
	return c.loop(ctx)
}

// chat is an interactive session on a terminal (or a script on stdin).
type chat struct {
	e    *env
	sess *agent.Session
	// agent, when set, runs each turn's tool loop (--tools, --mcp).
	agent *agent.Agent
	// code is the exit code of the last turn that failed, or 0.
	code int
}

// readLines sends the lines of r on the returned channel, without their line ends,
// and closes it at the end of r or when quit is closed.
func readLines(r io.Reader, quit <-chan struct{}) <-chan string {
	lines := make(chan string)
	go func() {
		defer close(lines)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if line != "" || err == nil {
				select {
				case lines <- strings.TrimRight(line, "\r\n"):
				case <-quit:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return lines
}

func (c *chat) loop(ctx context.Context) int {
	quit := make(chan struct{})
	defer close(quit)
	lines := readLines(c.e.stdin, quit)
	interrupted := false // Ctrl-C was pressed at the prompt, and nothing since
	for {
		fmt.Fprint(c.e.stdout, "> ")
		var line string
		select {
		case <-ctx.Done():
			fmt.Fprintln(c.e.stdout)
			return exitInterrupted
		case <-c.e.interrupts:
			if interrupted {
				fmt.Fprintln(c.e.stdout)
				return c.code
			}
			interrupted = true
			fmt.Fprintln(c.e.stdout, "\n(Ctrl-C again, /quit or Ctrl-D to leave)")
			continue
		case l, ok := <-lines:
			if !ok {
				fmt.Fprintln(c.e.stdout)
				return c.code
			}
			line = l
		}
		interrupted = false
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "//"):
			line = line[1:]
		case strings.HasPrefix(line, "/"):
			if c.command(line) {
				return c.code
			}
			continue
		}
		c.turn(ctx, line)
		if ctx.Err() != nil {
			return exitInterrupted
		}
	}
}

// command runs a /command and reports whether chat should end.
func (c *chat) command(line string) bool {
	name, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	out := c.e.stdout
	switch name {
	case "/quit", "/exit", "/q":
		return true
	case "/help", "/?":
		fmt.Fprintln(out, chatHelp)
	case "/reset":
		c.sess.Reset()
		fmt.Fprintln(out, "(conversation cleared)")
	case "/history":
		h := c.sess.History()
		if len(h) == 0 {
			fmt.Fprintln(out, "(the conversation is empty)")
		}
		for i, m := range h {
			fmt.Fprintf(out, "%d. %s\n", i+1, messageSummary(m))
		}
	case "/save":
		if arg == "" {
			fmt.Fprintln(c.e.stderr, "usage: /save FILE")
			break
		}
		n, err := c.save(arg)
		if err != nil {
			fmt.Fprintf(c.e.stderr, "llmkit chat: /save: %v\n", err)
			break
		}
		fmt.Fprintf(out, "(saved %d messages to %s)\n", n, arg)
	case "/load":
		if arg == "" {
			fmt.Fprintln(c.e.stderr, "usage: /load FILE")
			break
		}
		if err := c.load(arg); err != nil {
			fmt.Fprintf(c.e.stderr, "llmkit chat: /load: %v\n", err)
			break
		}
		fmt.Fprintf(out, "(loaded %d messages from %s)\n", len(c.sess.History()), arg)
	default:
		fmt.Fprintf(c.e.stderr, "unknown command %s; /help lists the commands (type //%s to send it as a message)\n", name, line[1:])
	}
	return false
}

func (c *chat) save(path string) (int, error) {
	data, err := c.sess.MarshalJSON()
	if err != nil {
		return 0, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, data, "", "  "); err != nil {
		return 0, err
	}
	b.WriteByte('\n')
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return 0, err
	}
	return len(c.sess.History()), nil
}

func (c *chat) load(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := c.sess.UnmarshalJSON(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// turn sends line and writes the answer as it streams. Ctrl-C cancels it.
func (c *chat) turn(ctx context.Context, line string) {
	tctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var byUser bool
	done := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		select {
		case <-c.e.interrupts:
			byUser = true
			cancel()
		case <-done:
		}
	}()
	var err error
	if c.agent != nil {
		err = c.runTools(tctx, line)
	} else {
		err = c.stream(tctx, line)
	}
	close(done)
	<-watched
	switch {
	case err == nil:
	case byUser && errors.Is(err, context.Canceled):
		fmt.Fprintln(c.e.stdout, "\n(answer cancelled; it is not part of the conversation)")
	default:
		fmt.Fprintln(c.e.stdout)
		c.code = report(c.e.stderr, "chat", err)
	}
}

func (c *chat) stream(ctx context.Context, line string) error {
	st, err := c.sess.Stream(ctx, llm.Text{Text: line})
	if err != nil {
		return err
	}
	defer st.Close()
	wrote, endsInNewline := false, false
	for ev, err := range st.Events() {
		if err != nil {
			return err
		}
		if d, ok := ev.(llm.TextDelta); ok && d.Text != "" {
			io.WriteString(c.e.stdout, d.Text)
			wrote, endsInNewline = true, strings.HasSuffix(d.Text, "\n")
		}
	}
	if wrote && !endsInNewline {
		fmt.Fprintln(c.e.stdout)
	}
	resp, err := st.Response()
	if err != nil {
		return err
	}
	// Warnings are the accumulated Warning events and what the request could not honour.
	for _, w := range resp.Warnings {
		fmt.Fprintf(c.e.stderr, "warning: %s\n", w)
	}
	if resp.StopReason != llm.StopReasonEndTurn && resp.StopReason != llm.StopReasonStopSequence {
		fmt.Fprintf(c.e.stdout, "(stopped: %s)\n", resp.StopReason)
	}
	return nil
}
