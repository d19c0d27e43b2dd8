package otelllm_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/fallback"
	"github.com/llmkit/llmkit/internal/goldenfile"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/llm/llmtest"
	"github.com/llmkit/llmkit/otelllm"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type recorder struct {
	spans   *tracetest.InMemoryExporter
	metrics *sdkmetric.ManualReader
	tel     *otelllm.Telemetry
}

func newRecorder(t *testing.T, capture bool) *recorder {
	t.Helper()
	r := &recorder{spans: tracetest.NewInMemoryExporter(), metrics: sdkmetric.NewManualReader()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(r.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.metrics))
	t.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp, MeterProvider: mp, CaptureContent: capture,
		ServerAddress: "bedrock-runtime.us-east-1.amazonaws.com", ServerPort: 443})
	if err != nil {
		t.Fatal(err)
	}
	r.tel = tel
	return r
}

func attrMap(kvs []attribute.KeyValue) map[string]string {
	m := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.String()
	}
	return m
}

func checkAttrs(t *testing.T, what string, got []attribute.KeyValue, want map[string]string, absent ...string) {
	t.Helper()
	m := attrMap(got)
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s: %s = %q, want %q", what, k, m[k], v)
		}
	}
	for _, k := range absent {
		if _, ok := m[k]; ok {
			t.Errorf("%s: %s present (%q), want absent", what, k, m[k])
		}
	}
}

var usage = llm.Usage{InputTokens: 10, OutputTokens: 7, TotalTokens: 27, CacheReadTokens: 8, CacheWriteTokens: 2}

func TestGenerateSpanAttributes(t *testing.T) {
	r := newRecorder(t, false)
	inner := llmtest.New(llmtest.Respond(&llm.Response{Message: llm.AssistantText("hi"), StopReason: llm.StopReasonEndTurn,
		RawStopReason: "end_turn", Usage: usage, RequestID: "req-42", Model: "us.m-v1"}))
	m := r.tel.Model(inner, otelllm.ProviderAWSBedrock)
	_, err := m.Generate(context.Background(), &llm.Request{Model: "us.m-v1", MaxTokens: 100, Temperature: llm.Ptr(0.5),
		TopP: llm.Ptr(0.9), StopSequences: []string{"END"}, Messages: []llm.Message{llm.SystemText("be brief"), llm.UserText("secret")}})
	if err != nil {
		t.Fatal(err)
	}
	spans := r.spans.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	s := spans[0]
	if s.Name != "chat us.m-v1" || s.SpanKind.String() != "client" {
		t.Errorf("span %q kind %v", s.Name, s.SpanKind)
	}
	checkAttrs(t, "span", s.Attributes, map[string]string{
		"gen_ai.operation.name":                    "chat",
		"gen_ai.provider.name":                     "aws.bedrock",
		"gen_ai.request.model":                     "us.m-v1",
		"gen_ai.request.max_tokens":                "100",
		"gen_ai.request.temperature":               "0.5",
		"gen_ai.request.top_p":                     "0.9",
		"gen_ai.request.stop_sequences":            `["END"]`,
		"gen_ai.response.id":                       "req-42",
		"gen_ai.response.model":                    "us.m-v1",
		"gen_ai.response.finish_reasons":           `["end_turn"]`,
		"gen_ai.usage.input_tokens":                "20",
		"gen_ai.usage.output_tokens":               "7",
		"gen_ai.usage.cache_read.input_tokens":     "8",
		"gen_ai.usage.cache_creation.input_tokens": "2",
		"server.address":                           "bedrock-runtime.us-east-1.amazonaws.com",
		"server.port":                              "443",
	}, "gen_ai.input.messages", "gen_ai.output.messages", "gen_ai.system_instructions", "gen_ai.request.stream", "error.type")
}

func TestContentCapture(t *testing.T) {
	r := newRecorder(t, true)
	inner := llmtest.New(llmtest.Text("hello"))
	m := r.tel.Model(inner, "test")
	_, err := m.Generate(context.Background(), &llm.Request{Model: "m",
		Messages: []llm.Message{llm.SystemText("be brief"), llm.UserText("hi")},
		Tools:    []llm.Tool{{Name: "add", Description: "Add", InputSchema: json.RawMessage(`{"type":"object"}`)}}})
	if err != nil {
		t.Fatal(err)
	}
	checkAttrs(t, "span", r.spans.GetSpans()[0].Attributes, map[string]string{
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`,
		"gen_ai.system_instructions": `[{"type":"text","content":"be brief"}]`,
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"hello"}],"finish_reason":"end_turn"}]`,
		"gen_ai.tool.definitions":    `[{"type":"function","name":"add","description":"Add","parameters":{"type":"object"}}]`,
	})
}

// Every kind of part is recorded with what it holds, none as "unknown".
func TestContentCaptureParts(t *testing.T) {
	r := newRecorder(t, true)
	m := r.tel.Model(llmtest.New(llmtest.Text("ok")), "test")
	_, err := m.Generate(context.Background(), &llm.Request{Model: "m", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		llm.Video{Format: "mp4", URI: "s3://b/v.mp4"},
		llm.Audio{Format: "wav", Data: []byte("RIFF")},
		llm.SearchResult{Source: "https://example.com", Title: "Example", Content: []string{"a", "b"}},
		llm.Opaque{Provider: "bedrock", Kind: "newBlock", Raw: json.RawMessage(`{"x":1}`)},
	}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkAttrs(t, "span", r.spans.GetSpans()[0].Attributes, map[string]string{
		"gen_ai.input.messages": `[{"role":"user","parts":[` +
			`{"type":"uri","modality":"video","mime_type":"video/mp4","uri":"s3://b/v.mp4"},` +
			`{"type":"blob","content":"UklGRg==","modality":"audio","mime_type":"audio/wav"},` +
			`{"type":"search_result","content":["a","b"],"name":"Example","uri":"https://example.com"},` +
			`{"type":"newBlock","content":{"x":1}}]}]`,
	})
}

func TestErrorSpanAndMetric(t *testing.T) {
	r := newRecorder(t, false)
	fail := &llm.ProviderError{Provider: "bedrock", Code: "ThrottlingException", Category: llm.ErrRateLimited}
	m := r.tel.Model(llmtest.New(llmtest.Fail(fail), llmtest.Fail(llm.ErrServer)), "aws.bedrock")
	_, err := m.Generate(context.Background(), &llm.Request{Model: "m"})
	if !errors.Is(err, llm.ErrRateLimited) || !errors.As(err, new(*llm.ProviderError)) {
		t.Fatalf("error changed: %v", err)
	}
	if _, err := m.Stream(context.Background(), &llm.Request{Model: "m"}); !errors.Is(err, llm.ErrServer) {
		t.Fatalf("stream error changed: %v", err)
	}
	spans := r.spans.GetSpans()
	checkAttrs(t, "generate", spans[0].Attributes, map[string]string{"error.type": "ThrottlingException"}, "gen_ai.usage.input_tokens")
	checkAttrs(t, "stream", spans[1].Attributes, map[string]string{"error.type": "server", "gen_ai.request.stream": "true"})
	if spans[0].Status.Code.String() != "Error" {
		t.Errorf("status %v", spans[0].Status)
	}
	var rm metricdata.ResourceMetrics
	if err := r.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	dur := findHistogram[float64](t, rm, "gen_ai.client.operation.duration")
	if len(dur.DataPoints) != 2 {
		t.Fatalf("%d duration points", len(dur.DataPoints))
	}
	for _, dp := range dur.DataPoints {
		if v, ok := dp.Attributes.Value("error.type"); !ok || v.AsString() == "" {
			t.Errorf("duration point without error.type: %v", dp.Attributes)
		}
	}
}

func TestStreamSpanAndMetrics(t *testing.T) {
	r := newRecorder(t, false)
	resp := &llm.Response{Message: llm.AssistantText("streamed"), StopReason: llm.StopReasonEndTurn, Usage: usage}
	inner := llmtest.New(llmtest.Respond(resp))
	m := r.tel.Model(inner, "aws.bedrock")
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.spans.GetSpans()) != 0 {
		t.Error("span ended before the stream")
	}
	var text strings.Builder
	for d, err := range s.Text() {
		if err != nil {
			t.Fatal(err)
		}
		text.WriteString(d)
	}
	got, err := s.Response()
	if err != nil || got.Text() != "streamed" || got.Usage != usage {
		t.Fatalf("response %+v, %v", got, err)
	}
	spans := r.spans.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	a := attrMap(spans[0].Attributes)
	if a["gen_ai.request.stream"] != "true" || a["gen_ai.usage.output_tokens"] != "7" {
		t.Errorf("attributes %v", a)
	}
	if v := a["gen_ai.response.time_to_first_chunk"]; v == "" || v == "0" {
		t.Errorf("time_to_first_chunk = %q", v)
	}

	var rm metricdata.ResourceMetrics
	if err := r.metrics.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	tok := findHistogram[int64](t, rm, "gen_ai.client.token.usage")
	sums := map[string]int64{}
	for _, dp := range tok.DataPoints {
		tt, _ := dp.Attributes.Value("gen_ai.token.type")
		op, _ := dp.Attributes.Value("gen_ai.operation.name")
		prov, _ := dp.Attributes.Value("gen_ai.provider.name")
		if op.AsString() != "chat" || prov.AsString() != "aws.bedrock" {
			t.Errorf("token point attributes %v", dp.Attributes)
		}
		sums[tt.AsString()] += dp.Sum
	}
	if sums["input"] != 20 || sums["output"] != 7 {
		t.Errorf("token sums %v", sums)
	}
	ttfc := findHistogram[float64](t, rm, "gen_ai.client.operation.time_to_first_chunk")
	if len(ttfc.DataPoints) != 1 || ttfc.DataPoints[0].Count != 1 {
		t.Errorf("time_to_first_chunk points %+v", ttfc.DataPoints)
	}
	dur := findHistogram[float64](t, rm, "gen_ai.client.operation.duration")
	if len(dur.DataPoints) != 1 || dur.DataPoints[0].Count != 1 {
		t.Errorf("duration points %+v", dur.DataPoints)
	}
}

func TestAbandonedStreamEndsSpan(t *testing.T) {
	r := newRecorder(t, false)
	m := r.tel.Model(llmtest.New(llmtest.Text("a b c")), "p")
	s, err := m.Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	for range s.Events() {
		break
	}
	spans := r.spans.GetSpans()
	if len(spans) != 1 {
		t.Fatalf("%d spans", len(spans))
	}
	checkAttrs(t, "span", spans[0].Attributes, map[string]string{"error.type": "stream"})
}

func findHistogram[N int64 | float64](t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Histogram[N] {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				h, ok := m.Data.(metricdata.Histogram[N])
				if !ok {
					t.Fatalf("%s is a %T", name, m.Data)
				}
				return h
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Histogram[N]{}
}

func TestErrorType(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&llm.ProviderError{Code: "ValidationException", Category: llm.ErrInvalidRequest}, "ValidationException"},
		{&llm.ProviderError{Category: llm.ErrModelNotReady}, "model_not_ready"},
		{&llm.InvalidRequestError{Message: -1, Part: -1, Reason: "x"}, "invalid_request"},
		{fmt.Errorf("x: %w", context.Canceled), "canceled"},
		{context.DeadlineExceeded, "deadline_exceeded"},
		{errors.New("odd"), "_OTHER"},
	} {
		if got := otelllm.ErrorType(tc.err); got != tc.want {
			t.Errorf("ErrorType(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

// runAgent runs an agent with two tool calls (one failing) on a scripted model.
func runAgent(t *testing.T, r *recorder) {
	t.Helper()
	type in struct {
		City string `json:"city"`
	}
	weather, err := agent.NewTool("weather", "Current weather of a city", func(_ context.Context, a in) (string, error) {
		if a.City == "Atlantis" {
			return "", errors.New("no such city")
		}
		return "sunny in " + a.City, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	step1 := llmtest.ToolCalls(
		llm.ToolCall{ID: "call-1", Name: "weather", Input: json.RawMessage(`{"city":"Paris"}`)},
		llm.ToolCall{ID: "call-2", Name: "weather", Input: json.RawMessage(`{"city":"Atlantis"}`)},
	)
	step1.Response.Usage = llm.Usage{InputTokens: 50, OutputTokens: 20, TotalTokens: 70}
	step1.Response.RequestID = "req-1"
	step2 := llmtest.Respond(&llm.Response{Message: llm.AssistantText("Sunny in Paris; Atlantis is unknown."),
		StopReason: llm.StopReasonEndTurn, Usage: llm.Usage{InputTokens: 90, OutputTokens: 12, TotalTokens: 102}, RequestID: "req-2"})
	model := r.tel.Model(llmtest.New(step1, step2), otelllm.ProviderAWSBedrock)
	a := agent.New(model, &agent.Options{Tools: r.tel.Tools([]agent.Tool{weather}), Parallelism: 1})
	res, err := r.tel.Agent(a, otelllm.AgentInfo{Name: "forecaster", Provider: otelllm.ProviderAWSBedrock}).
		Run(context.Background(), &llm.Request{Model: "us.anthropic.claude-haiku-4-5-20251001-v1:0",
			Messages: []llm.Message{llm.UserText("Weather in Paris and Atlantis?")}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Steps != 2 {
		t.Fatalf("%d steps", res.Steps)
	}
}

func TestAgentSpanTreeGolden(t *testing.T) {
	for _, capture := range []bool{false, true} {
		name := "agent_run.golden"
		if capture {
			name = "agent_run_content.golden"
		}
		t.Run(name, func(t *testing.T) {
			r := newRecorder(t, capture)
			runAgent(t, r)
			got := renderTree(r.spans.GetSpans())
			path := filepath.Join("testdata", name)
			if goldenfile.Update() {
				goldenfile.Write(t, path, []byte(got))
			}
			if want := goldenfile.Read(t, path); got != string(want) {
				t.Errorf("span tree differs from %s (-update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
			}
		})
	}
}

// renderTree writes spans as an indented tree: name, kind, status, then the attributes
// sorted by key. Children are in start order.
func renderTree(spans tracetest.SpanStubs) string {
	children := map[string][]tracetest.SpanStub{}
	var roots []tracetest.SpanStub
	ids := map[string]bool{}
	for _, s := range spans {
		ids[s.SpanContext.SpanID().String()] = true
	}
	for _, s := range spans {
		p := s.Parent.SpanID().String()
		if !s.Parent.IsValid() || !ids[p] {
			roots = append(roots, s)
			continue
		}
		children[p] = append(children[p], s)
	}
	var b strings.Builder
	var walk func(s tracetest.SpanStub, depth int)
	walk = func(s tracetest.SpanStub, depth int) {
		ind := strings.Repeat("  ", depth)
		fmt.Fprintf(&b, "%s%s [%s] status=%s", ind, s.Name, s.SpanKind, s.Status.Code)
		if s.Status.Description != "" {
			fmt.Fprintf(&b, " %q", s.Status.Description)
		}
		b.WriteString("\n")
		attrs := slices.Clone(s.Attributes)
		sort.Slice(attrs, func(i, j int) bool { return attrs[i].Key < attrs[j].Key })
		for _, kv := range attrs {
			fmt.Fprintf(&b, "%s  %s: %s\n", ind, kv.Key, kv.Value.String())
		}
		kids := children[s.SpanContext.SpanID().String()]
		sort.SliceStable(kids, func(i, j int) bool { return kids[i].StartTime.Before(kids[j].StartTime) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
	return b.String()
}

func TestUnsampledCallStillMeasured(t *testing.T) {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans), sdktrace.WithSampler(sdktrace.NeverSample()))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer tp.Shutdown(context.Background())
	defer mp.Shutdown(context.Background())
	tel, err := otelllm.New(&otelllm.Options{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	resp := &llm.Response{Message: llm.AssistantText("x"), StopReason: llm.StopReasonEndTurn, Usage: usage, Model: "answered-by"}
	m := tel.Model(llmtest.New(llmtest.Respond(resp)), "p")
	if _, err := m.Generate(context.Background(), &llm.Request{Model: "m"}); err != nil {
		t.Fatal(err)
	}
	if n := len(spans.GetSpans()); n != 0 {
		t.Errorf("%d spans exported with NeverSample", n)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	dur := findHistogram[float64](t, rm, "gen_ai.client.operation.duration")
	if len(dur.DataPoints) != 1 {
		t.Fatalf("%d duration points", len(dur.DataPoints))
	}
	if v, _ := dur.DataPoints[0].Attributes.Value("gen_ai.response.model"); v.AsString() != "answered-by" {
		t.Errorf("duration attributes %v", dur.DataPoints[0].Attributes)
	}
}

// TestStackLeavesNoGoroutine stacks tracing over fallback over a relaying middleware
// and ends streams every way — read to the end, broken after a fallback, abandoned,
// cancelled, closed — under the package's goroutine-leak check (TestMain).
func TestStackLeavesNoGoroutine(t *testing.T) {
	r := newRecorder(t, true)
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("one two three")})
	relay := func(next llm.Model) llm.Model {
		return llm.ModelFuncs{
			GenerateFunc: next.Generate,
			StreamFunc: func(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
				s, err := next.Stream(ctx, req)
				if err != nil {
					return nil, err
				}
				return llm.RelayStream(ctx, s, nil), nil
			},
		}
	}
	newStack := func(first llmtest.Answer) llm.Model {
		fb, err := fallback.New([]fallback.Candidate{
			{Name: "a", Model: llmtest.New(first)},
			{Name: "b", Model: llmtest.New(llmtest.Stream(evs, nil))},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return llm.Wrap(fb, r.tel.Middleware("p"), relay)
	}
	req := &llm.Request{Model: "m"}
	ctx := context.Background()

	// Falls back before the first event, then reads to the end.
	s, err := newStack(llmtest.Stream([]llm.Event{}, &llm.ProviderError{Category: llm.ErrServer})).Stream(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := s.Response(); err != nil || resp.Text() != "one two three" || resp.Model != "b" {
		t.Fatalf("response %+v, %v", resp, err)
	}
	// Breaks after the first event: no fallback, the error reaches the caller.
	s, _ = newStack(llmtest.Stream(evs[:2], &llm.ProviderError{Category: llm.ErrServer})).Stream(ctx, req)
	if _, err := s.Response(); !errors.Is(err, llm.ErrServer) {
		t.Errorf("broken stream: %v", err)
	}
	// Abandoned.
	s, _ = newStack(llmtest.Stream(evs, nil)).Stream(ctx, req)
	for range s.Events() {
		break
	}
	// Cancelled while reading.
	cctx, cancel := context.WithCancel(ctx)
	s, _ = newStack(llmtest.Stream(evs, nil)).Stream(cctx, req)
	for _, err := range s.Events() {
		if err != nil {
			break
		}
		cancel()
	}
	cancel()
	if _, err := s.Response(); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled stream: %v", err)
	}
	// Closed before it is read.
	s, _ = newStack(llmtest.Stream(evs, nil)).Stream(ctx, req)
	s.Close()
	if _, err := s.Response(); !errors.Is(err, llm.ErrStream) {
		t.Errorf("closed stream: %v", err)
	}
	if n := len(r.spans.GetSpans()); n != 5 {
		t.Errorf("%d spans, want one per stream (5)", n)
	}
}

// TestFallbackStreamSpans traces each candidate of a fallback and the fallback itself:
// a stream that falls back before its first event makes a failed span for the first
// candidate and a span for the second, both children of the fallback's span.
func TestFallbackStreamSpans(t *testing.T) {
	r := newRecorder(t, false)
	evs, _ := llm.ResponseEvents(&llm.Response{Message: llm.AssistantText("from b"), StopReason: llm.StopReasonEndTurn})
	traced := func(m llm.Model, provider string) llm.Model { return llm.Wrap(m, r.tel.Middleware(provider)) }
	fb, err := fallback.New([]fallback.Candidate{
		{Name: "a", Model: traced(llmtest.New(llmtest.Stream([]llm.Event{}, &llm.ProviderError{Code: "ThrottlingException", Category: llm.ErrRateLimited})), "pa")},
		{Name: "b", Model: traced(llmtest.New(llmtest.Stream(evs, nil)), "pb")},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := traced(fb, "fallback").Stream(context.Background(), &llm.Request{Model: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := s.Response(); err != nil || resp.Text() != "from b" || resp.Model != "b" {
		t.Fatalf("response %+v, %v", resp, err)
	}
	spans := r.spans.GetSpans()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3", len(spans))
	}
	byProvider := map[string]tracetest.SpanStub{}
	for _, sp := range spans {
		byProvider[attrMap(sp.Attributes)["gen_ai.provider.name"]] = sp
	}
	outer := byProvider["fallback"]
	for _, p := range []string{"pa", "pb"} {
		if got := byProvider[p].Parent.SpanID(); got != outer.SpanContext.SpanID() {
			t.Errorf("span of %s: parent %v, want the fallback's span %v", p, got, outer.SpanContext.SpanID())
		}
	}
	checkAttrs(t, "first candidate", byProvider["pa"].Attributes, map[string]string{"error.type": "ThrottlingException"})
	checkAttrs(t, "second candidate", byProvider["pb"].Attributes, nil, "error.type")
	checkAttrs(t, "fallback", outer.Attributes, map[string]string{"gen_ai.response.model": "b"}, "error.type")
}
