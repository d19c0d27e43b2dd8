package bedrocktest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// newServer starts a server closed at the end of the test.
func newServer(t testing.TB, opts *bedrocktest.Options) *bedrocktest.Server {
	t.Helper()
	s := bedrocktest.NewServer(opts)
	t.Cleanup(s.Close)
	return s
}

func userText(text string) []types.Message {
	return []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: text}}}}
}

func converse(ctx context.Context, c *bedrockruntime.Client, model string) (*bedrockruntime.ConverseOutput, error) {
	return c.Converse(ctx, &bedrockruntime.ConverseInput{ModelId: aws.String(model), Messages: userText("hi")})
}

// streamResult is what a ConverseStream call gave: the events, and the error of the call
// or of the stream.
type streamResult struct {
	events []types.ConverseStreamOutput
	err    error
}

func converseStream(ctx context.Context, c *bedrockruntime.Client, model string) streamResult {
	out, err := c.ConverseStream(ctx, &bedrockruntime.ConverseStreamInput{ModelId: aws.String(model), Messages: userText("hi")})
	if err != nil {
		return streamResult{err: err}
	}
	st := out.GetStream()
	defer st.Close()
	var r streamResult
	for ev := range st.Events() {
		r.events = append(r.events, ev)
	}
	r.err = st.Err()
	return r
}

// answer is a comparable form of a Converse answer, built independently of package
// bedrock so that the simulator is checked against the SDK alone.
type answer struct {
	Blocks  []answerBlock
	Stop    string
	Usage   [5]int // input, output, total, cache read, cache write
	Latency int64
}

type answerBlock struct {
	Kind      string // text, reasoning, redacted, tool
	Text      string // text, reasoning text, or canonical tool input JSON
	Signature string
	Redacted  []byte
	ID, Name  string
}

func usageOf(u *types.TokenUsage) [5]int {
	if u == nil {
		return [5]int{}
	}
	return [5]int{int(aws.ToInt32(u.InputTokens)), int(aws.ToInt32(u.OutputTokens)), int(aws.ToInt32(u.TotalTokens)),
		int(aws.ToInt32(u.CacheReadInputTokens)), int(aws.ToInt32(u.CacheWriteInputTokens))}
}

// canonicalJSON re-encodes a JSON value with sorted keys.
func canonicalJSON(t testing.TB, b []byte) string {
	t.Helper()
	if len(b) == 0 {
		return "{}"
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("canonicalJSON(%q): %v", b, err)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

func answerOf(t testing.TB, out *bedrockruntime.ConverseOutput) answer {
	t.Helper()
	a := answer{Stop: string(out.StopReason), Usage: usageOf(out.Usage)}
	if out.Metrics != nil {
		a.Latency = aws.ToInt64(out.Metrics.LatencyMs)
	}
	msg, ok := out.Output.(*types.ConverseOutputMemberMessage)
	if !ok {
		t.Fatalf("Converse output is %T, want a message", out.Output)
	}
	for i, c := range msg.Value.Content {
		switch v := c.(type) {
		case *types.ContentBlockMemberText:
			a.Blocks = append(a.Blocks, answerBlock{Kind: "text", Text: v.Value})
		case *types.ContentBlockMemberToolUse:
			raw, err := v.Value.Input.MarshalSmithyDocument()
			if err != nil {
				t.Fatal(err)
			}
			a.Blocks = append(a.Blocks, answerBlock{Kind: "tool", ID: aws.ToString(v.Value.ToolUseId), Name: aws.ToString(v.Value.Name), Text: canonicalJSON(t, raw)})
		case *types.ContentBlockMemberReasoningContent:
			switch r := v.Value.(type) {
			case *types.ReasoningContentBlockMemberReasoningText:
				a.Blocks = append(a.Blocks, answerBlock{Kind: "reasoning", Text: aws.ToString(r.Value.Text), Signature: aws.ToString(r.Value.Signature)})
			case *types.ReasoningContentBlockMemberRedactedContent:
				a.Blocks = append(a.Blocks, answerBlock{Kind: "redacted", Redacted: r.Value})
			}
		default:
			t.Fatalf("content block %d: unexpected %T", i, c)
		}
	}
	return a
}

// streamAnswer folds stream events into an answer; it fails on an event out of place.
func streamAnswer(t testing.TB, evs []types.ConverseStreamOutput) answer {
	t.Helper()
	var a answer
	blocks := map[int32]*answerBlock{}
	var order []int32
	block := func(i *int32, kind string) *answerBlock {
		idx := aws.ToInt32(i)
		b, ok := blocks[idx]
		if !ok {
			b = &answerBlock{Kind: kind}
			blocks[idx] = b
			order = append(order, idx)
		}
		return b
	}
	for _, ev := range evs {
		switch e := ev.(type) {
		case *types.ConverseStreamOutputMemberMessageStart:
		case *types.ConverseStreamOutputMemberContentBlockStart:
			if tu, ok := e.Value.Start.(*types.ContentBlockStartMemberToolUse); ok {
				b := block(e.Value.ContentBlockIndex, "tool")
				b.ID, b.Name = aws.ToString(tu.Value.ToolUseId), aws.ToString(tu.Value.Name)
			}
		case *types.ConverseStreamOutputMemberContentBlockDelta:
			switch d := e.Value.Delta.(type) {
			case *types.ContentBlockDeltaMemberText:
				block(e.Value.ContentBlockIndex, "text").Text += d.Value
			case *types.ContentBlockDeltaMemberToolUse:
				block(e.Value.ContentBlockIndex, "tool").Text += aws.ToString(d.Value.Input)
			case *types.ContentBlockDeltaMemberReasoningContent:
				switch r := d.Value.(type) {
				case *types.ReasoningContentBlockDeltaMemberText:
					block(e.Value.ContentBlockIndex, "reasoning").Text += r.Value
				case *types.ReasoningContentBlockDeltaMemberSignature:
					block(e.Value.ContentBlockIndex, "reasoning").Signature += r.Value
				case *types.ReasoningContentBlockDeltaMemberRedactedContent:
					b := block(e.Value.ContentBlockIndex, "redacted")
					b.Redacted = append(b.Redacted, r.Value...)
				}
			default:
				t.Fatalf("unexpected delta %T", d)
			}
		case *types.ConverseStreamOutputMemberContentBlockStop:
		case *types.ConverseStreamOutputMemberMessageStop:
			a.Stop = string(e.Value.StopReason)
		case *types.ConverseStreamOutputMemberMetadata:
			a.Usage = usageOf(e.Value.Usage)
			if e.Value.Metrics != nil {
				a.Latency = aws.ToInt64(e.Value.Metrics.LatencyMs)
			}
		default:
			t.Fatalf("unexpected stream event %T", ev)
		}
	}
	slices.Sort(order)
	for _, i := range order {
		b := *blocks[i]
		if b.Kind == "tool" {
			b.Text = canonicalJSON(t, []byte(b.Text))
		}
		a.Blocks = append(a.Blocks, b)
	}
	return a
}

// eventTypes names the events, for messages.
func eventTypes(evs []types.ConverseStreamOutput) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = fmt.Sprintf("%T", ev)
	}
	return out
}

// requestIDOf returns the request id the SDK read from a response.
func requestIDOf(md middleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return id
}

// newRawRequest prepares a plain HTTP POST with a bearer token, bypassing the SDK.
func newRawRequest(t testing.TB, url string, body []byte) (func() (*http.Response, error), error) {
	t.Helper()
	return func() (*http.Response, error) {
		req, err := http.NewRequest("POST", url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer test")
		req.Header.Set("Content-Type", "application/json")
		return http.DefaultClient.Do(req)
	}, nil
}

// parseFixture loads a fixture from its bytes, through LoadFixture.
func parseFixture(data []byte) (*bedrocktest.Fixture, error) {
	return bedrocktest.LoadFixture(fstest.MapFS{"fixture.json": {Data: data}}, "fixture.json")
}
