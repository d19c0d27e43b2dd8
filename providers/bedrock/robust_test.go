package bedrock

import (
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// Issue 13, point 4: a delta or block start of a kind the SDK does not know reaches
// llmkit as no member at all; the stream skips that block with a warning, as Generate
// skips an unknown block, instead of failing.
func TestIssue13UnknownDeltaAndBlockStart(t *testing.T) {
	forDecoders(t, testUnknownDeltaAndBlockStart)
}

func testUnknownDeltaAndBlockStart(t *testing.T, dec StreamDecoder) {
	m, srv := newTestModel(t, &Options{StreamDecoder: dec})
	srv.Enqueue(bedrocktest.Frames(
		bedrocktest.Frame{EventType: "messageStart", Payload: []byte(`{"role":"assistant"}`)},
		bedrocktest.Frame{EventType: "contentBlockStart", Payload: []byte(`{"contentBlockIndex":0,"start":{"futureBlock":{"x":1}}}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":0,"delta":{"futureDelta":{"y":2}}}`)},
		bedrocktest.Frame{EventType: "contentBlockStop", Payload: []byte(`{"contentBlockIndex":0}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":1,"delta":{"futureDelta":{"y":2}}}`)},
		bedrocktest.Frame{EventType: "contentBlockDelta", Payload: []byte(`{"contentBlockIndex":2,"delta":{"text":"Hello"}}`)},
		bedrocktest.Frame{EventType: "contentBlockStop", Payload: []byte(`{"contentBlockIndex":2}`)},
		bedrocktest.Frame{EventType: "messageStop", Payload: []byte(`{"stopReason":"end_turn"}`)},
		bedrocktest.Frame{EventType: "metadata", Payload: []byte(`{"usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}}`)},
	))
	st, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := st.Response()
	if err != nil {
		t.Fatalf("a stream with unknown block starts and deltas failed: %v", err)
	}
	if resp.Text() != "Hello" {
		t.Errorf("text %q, want Hello", resp.Text())
	}
	if !llm.HasWarning(resp.Warnings, llm.WarningSkipped) {
		t.Errorf("no skipped warning: %v", resp.Warnings)
	}
}

// Issue 13, point 6: streams nobody reads release their goroutines and connections when
// their context is cancelled, while the server still holds them open and after it
// closes; reading one afterwards reports the cancellation.
func TestIssue13UnreadStreamsCancelledNoLeak(t *testing.T) {
	forDecoders(t, testUnreadStreamsCancelledNoLeak)
}

func testUnreadStreamsCancelledNoLeak(t *testing.T, dec StreamDecoder) {
	srv := bedrocktest.NewServer(nil)
	defer srv.Close()
	m := New(srv.Client(nil), &Options{StreamDecoder: dec})
	before := goleak.IgnoreCurrent()
	const n = 10
	for range n {
		srv.Enqueue(bedrocktest.Text("one two three four").Pace(0, time.Hour))
	}
	ctx, cancel := context.WithCancel(context.Background())
	streams := make([]*llm.Stream, n)
	for i := range streams {
		st, err := m.Stream(ctx, userReq(claude, "count"))
		if err != nil {
			t.Fatal(err)
		}
		streams[i] = st
	}
	cancel()
	goleak.VerifyNone(t, before) // the server still holds its side open
	srv.Close()
	goleak.VerifyNone(t, before)
	for i, st := range streams {
		if _, err := st.Response(); !errors.Is(err, llm.ErrStream) || !errors.Is(err, llm.ErrCanceled) {
			t.Errorf("stream %d: Response() = %v, want ErrStream and ErrCanceled", i, err)
		}
	}
}

// Issue 13, point 5: a $ref under "dependencies" is inlined like every other local
// reference (the walker descends into every keyword that holds schemas), and a $ref
// under a keyword llmkit does not know is an error, never sent dangling.
func TestIssue13SchemaRefUnderDependencies(t *testing.T) {
	tool := func(schema string) *llm.Request {
		return &llm.Request{Model: claude, Messages: []llm.Message{llm.UserText("hi")},
			Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(schema)}}}
	}
	in, _, err := FormatRequest(tool(`{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},` +
		`"dependencies":{"a":{"$ref":"#/$defs/needsB"},"b":["a"]},"$defs":{"needsB":{"required":["b"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	got := string(toolSchemaJSON(t, in.ToolConfig.Tools[0]))
	if strings.Contains(got, "$ref") || strings.Contains(got, "$defs") || !strings.Contains(got, `"dependencies":{"a":{"required":["b"]},"b":["a"]}`) {
		t.Errorf("schema sent = %s, want the reference under dependencies inlined", got)
	}
	_, _, err = FormatRequest(tool(`{"type":"object","properties":{},"x-custom":{"inner":{"$ref":"#/$defs/d"}},"$defs":{"d":{}}}`))
	if err == nil || !strings.Contains(err.Error(), "x-custom") {
		t.Errorf("a $ref under an unknown keyword: error %v, want one naming x-custom", err)
	}
	if _, _, err := FormatRequest(tool(`{"type":"object","properties":{"a":{"enum":[{"$ref":"data"}]}}}`)); err != nil {
		t.Errorf(`"$ref" as data in enum: %v`, err)
	}
}

// Issue 13, point 7 (tool schemas): normalising a deep tool schema costs memory linear
// in its size: no path string is built per level.
func TestIssue13DeepToolSchemaLinear(t *testing.T) {
	const depth = 9000
	schema := `{"type":"object","properties":{"x":` + strings.Repeat(`{"not":`, depth) + `{}` + strings.Repeat(`}`, depth) + `}}`
	req := &llm.Request{Model: claude, Messages: []llm.Message{llm.UserText("hi")},
		Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(schema)}}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := FormatRequest(req)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if n, limit := after.TotalAlloc-before.TotalAlloc, uint64(400*len(schema)); n > limit {
		t.Errorf("formatting a %d-byte schema of depth %d allocated %d bytes, more than %d", len(schema), depth, n, limit)
	}
}

// toolSchemaJSON returns the JSON input schema of a tool as it goes on the wire.
func toolSchemaJSON(t *testing.T, tool types.Tool) []byte {
	t.Helper()
	spec, ok := tool.(*types.ToolMemberToolSpec)
	if !ok {
		t.Fatalf("tool %T is not a tool spec", tool)
	}
	js, ok := spec.Value.InputSchema.(*types.ToolInputSchemaMemberJson)
	if !ok {
		t.Fatalf("input schema %T is not JSON", spec.Value.InputSchema)
	}
	b, err := js.Value.MarshalSmithyDocument()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Issue 13, point 10: what FormatRequest changes in what the caller gave comes with a
// warning: invalid UTF-8 (text, tool input, metadata), a sanitised document name, a
// whitespace-only tool result, and image bytes that are not the declared format (which
// are sent as the format they are, as when no format is given).
func TestIssue13RepairsWarn(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n0000")
	req := &llm.Request{Model: claude, Extra: &Extra{RequestMetadata: map[string]string{"k": "bad\xffvalue"}},
		Messages: []llm.Message{
			{Role: llm.RoleUser, Parts: []llm.Part{
				llm.Text{Text: "caf\xe9"},
				llm.Document{Name: "a/b.txt", Format: "txt", Data: []byte("x")},
				llm.Image{Format: "jpeg", Data: png},
			}},
			{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "c", Name: "t", Input: json.RawMessage("{\"s\":\"\xff\"}")}}},
			{Role: llm.RoleTool, Parts: []llm.Part{llm.ToolResult{CallID: "c", Content: []llm.Part{llm.Text{Text: " \n"}}}}},
		}}
	in, warnings, err := FormatRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"message 0 part 0: invalid UTF-8 replaced with U+FFFD",
		`message 0 part 1: document name "a/b.txt" sent as "a-b"`,
		"message 0 part 2: image declared jpeg but its bytes are png: sent as png",
		"message 1 part 0: invalid UTF-8 in the tool call's input replaced with U+FFFD",
		`message 2 part 0: tool result for call "c" is empty (or white space only)`,
		"extra.requestMetadata: invalid UTF-8",
	}
	for _, w := range want {
		found := false
		for _, g := range warnings {
			found = found || strings.Contains(g.String(), w)
		}
		if !found {
			t.Errorf("no warning %q in %q", w, warnings)
		}
	}
	text := in.Messages[0].Content[0].(*types.ContentBlockMemberText).Value
	if text != "caf\uFFFD" {
		t.Errorf("text sent = %q, want the invalid byte replaced", text)
	}
	if f := in.Messages[0].Content[2].(*types.ContentBlockMemberImage).Value.Format; f != types.ImageFormatPng {
		t.Errorf("image format sent = %s, want png", f)
	}
}
