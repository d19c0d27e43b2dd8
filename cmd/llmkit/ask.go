package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/schema"
)

const askSynopsis = "llmkit ask --model ID [--system TEXT] [--max-tokens N] [--schema FILE] [--json] [--count-tokens] [--region REGION] [--profile PROFILE] [--endpoint URL] PROMPT...|-"

const askAbout = `
Asks a model on Amazon Bedrock one question and prints the answer: streamed as
plain text by default; with --json, the whole neutral response (message, stop
reason, usage, request id, warnings) as JSON; with --schema FILE, the JSON
object the model returns for the JSON Schema in FILE, checked against it
(with --json too, inside the response's "object"). With --count-tokens it
asks nothing: it prints the number of input tokens the request (system
prompt and prompt) would use, as Bedrock's CountTokens operation counts
them, to keep a conversation inside the model's context window.

The prompt is the arguments after the flags, joined by spaces; "-" reads it
from standard input. Flags may come before or after the prompt; "--" ends
them. Credentials and --endpoint work as for "llmkit chat".`

func runAsk(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "ask", askSynopsis, askAbout)
	var aws awsFlags
	model := fs.String("model", "", "model `ID` (required): a Bedrock model id, inference profile or ARN, or PROVIDER:ID such as openai:gpt-4o")
	system := fs.String("system", "", "`TEXT` of the system prompt")
	maxTokens := fs.Int("max-tokens", 0, "cap the answer at `N` tokens (0: the model's default)")
	schemaFile := fs.String("schema", "", "ask for a JSON object matching the JSON Schema in `FILE`, and print it")
	asJSON := fs.Bool("json", false, "print the whole response as JSON (llmkit's neutral form) instead of its text")
	countTokens := fs.Bool("count-tokens", false, "print the request's input token count (Bedrock's CountTokens) instead of asking")
	aws.register(fs)
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	switch {
	case *model == "":
		return usageError(e, fs, "--model is required (e.g. --model us.anthropic.claude-haiku-4-5-20251001-v1:0)")
	case fs.NArg() == 0:
		return usageError(e, fs, "no prompt: give it as arguments, or \"-\" to read it from standard input")
	case *maxTokens < 0:
		return usageError(e, fs, "--max-tokens %d: want 0 or more", *maxTokens)
	}
	prompt := strings.Join(fs.Args(), " ")
	if fs.NArg() == 1 && fs.Arg(0) == "-" {
		data, err := io.ReadAll(e.stdin)
		if err != nil {
			return report(e.stderr, "ask", fmt.Errorf("reading the prompt from standard input: %w", err))
		}
		prompt = string(data)
	}
	if strings.TrimSpace(prompt) == "" {
		return usageError(e, fs, "the prompt is empty")
	}
	req := &llm.Request{Model: *model, MaxTokens: *maxTokens}
	if *system != "" {
		req.Messages = append(req.Messages, llm.SystemText(*system))
	}
	req.Messages = append(req.Messages, llm.UserText(prompt))
	var sch *schema.Schema
	if *schemaFile != "" {
		raw, s, err := loadSchema(*schemaFile)
		if err != nil {
			return usageError(e, fs, "--schema: %v", err)
		}
		sch = s
		req.Output = &llm.Output{Schema: raw}
	}

	ctx, stop := interruptible(ctx, e)
	defer stop()
	cl, err := connectModel(ctx, &aws, *model, nil)
	if err != nil {
		return report(e.stderr, "ask", err)
	}
	req.Model = cl.id
	switch {
	case *countTokens:
		err = askCountTokens(ctx, e, cl.model, *model, req)
	case !*asJSON && sch == nil:
		err = askStream(ctx, e, cl.model, req)
	default:
		err = askGenerate(ctx, e, cl.model, req, sch, *asJSON)
	}
	if err != nil {
		return report(e.stderr, "ask", err)
	}
	return exitOK
}

// askCountTokens prints the request's input token count.
func askCountTokens(ctx context.Context, e *env, m llm.Model, name string, req *llm.Request) error {
	tc, ok := m.(llm.TokenCounter)
	if !ok {
		return fmt.Errorf("--count-tokens: the %s provider cannot count tokens", name)
	}
	n, err := tc.CountTokens(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d\n", n)
	return nil
}

// askGenerate asks for the whole answer and prints it as JSON (asJSON) or, with a
// schema, the object it holds once checked against sch.
func askGenerate(ctx context.Context, e *env, m llm.Model, req *llm.Request, sch *schema.Schema, asJSON bool) error {
	resp, err := m.Generate(ctx, req)
	if err != nil {
		return err
	}
	for _, w := range resp.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if asJSON {
		data, err := json.MarshalIndent(resp, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding the response: %w", err)
		}
		fmt.Fprintf(e.stdout, "%s\n", data)
	}
	if sch == nil {
		return nil
	}
	if err := checkObject(resp, sch); err != nil {
		return err
	}
	if !asJSON {
		var b bytes.Buffer
		json.Indent(&b, resp.Object, "", "  ")
		fmt.Fprintf(e.stdout, "%s\n", b.Bytes())
	}
	return nil
}

// loadSchema reads and compiles the JSON Schema in path.
func loadSchema(path string) (json.RawMessage, *schema.Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		return nil, nil, fmt.Errorf("%s: not valid JSON: %w", path, jsonx.WithPosition(data, err))
	}
	if k := jsonx.KindOf(data); k != jsonx.Object {
		return nil, nil, fmt.Errorf("%s: a JSON Schema is a JSON object, not %s", path, k.Name())
	}
	compact, err := jsonx.Compact(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: not valid JSON: %w", path, err)
	}
	raw := json.RawMessage(compact)
	s, err := schema.Compile(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return raw, s, nil
}

// checkObject checks that resp holds an object matching s.
func checkObject(resp *llm.Response, s *schema.Schema) error {
	if len(resp.Object) == 0 {
		return fmt.Errorf("%w: the answer (stop reason %s) holds no JSON object: %q", llm.ErrNoObject, resp.StopReason, resp.Text())
	}
	if err := s.Validate(resp.Object); err != nil {
		return fmt.Errorf("%w: the object does not match the schema: %v; object: %s", llm.ErrNoObject, err, resp.Object)
	}
	return nil
}

// askStream streams the answer's text to stdout.
func askStream(ctx context.Context, e *env, m llm.Model, req *llm.Request) error {
	st, err := m.Stream(ctx, req)
	if err != nil {
		return err
	}
	defer st.Close()
	endsInNewline := true
	for text, err := range st.Text() {
		if err != nil {
			if !endsInNewline {
				fmt.Fprintln(e.stdout)
			}
			return err
		}
		if text != "" {
			io.WriteString(e.stdout, text)
			endsInNewline = strings.HasSuffix(text, "\n")
		}
	}
	if !endsInNewline {
		fmt.Fprintln(e.stdout)
	}
	resp, err := st.Response()
	if err != nil {
		return err
	}
	for _, w := range resp.Warnings {
		fmt.Fprintf(e.stderr, "warning: %s\n", w)
	}
	if resp.StopReason == llm.StopReasonMaxTokens {
		fmt.Fprintf(e.stderr, "warning: the answer was cut at the token limit (--max-tokens)\n")
	}
	return nil
}
