package otelllm

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/semconv/v1.41.0/genaiconv"
	"go.opentelemetry.io/otel/trace"

	"github.com/llmkit/llmkit/llm"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/llmkit/llmkit/otelllm"

// Provider names of the GenAI conventions, for [Telemetry.Model]. Any other name is
// allowed.
const (
	ProviderAWSBedrock = "aws.bedrock"
	ProviderOpenAI     = "openai"
	ProviderAnthropic  = "anthropic"
)

// Options configures [New]. The zero value (and nil) is usable.
type Options struct {
	// TracerProvider and MeterProvider default to the global ones (otel.GetTracerProvider
	// and otel.GetMeterProvider), which do nothing until the program sets them.
	TracerProvider trace.TracerProvider
	MeterProvider  metric.MeterProvider
	// CaptureContent records messages, system instructions, tool definitions, tool-call
	// arguments and tool results on the spans (gen_ai.input.messages,
	// gen_ai.output.messages, gen_ai.system_instructions, gen_ai.tool.definitions,
	// gen_ai.tool.call.arguments, gen_ai.tool.call.result). Off by default: they may
	// hold personal data.
	CaptureContent bool
	// ServerAddress and ServerPort, when set, are recorded as server.address and
	// server.port.
	ServerAddress string
	ServerPort    int
}

// Telemetry makes spans and metrics following the OpenTelemetry GenAI semantic
// conventions (semconv v1.41.0): a client span per model call, the client metrics,
// and invoke_agent and execute_tool spans for agent runs. It is safe for concurrent use.
type Telemetry struct {
	opts     Options
	tracer   trace.Tracer
	duration genaiconv.ClientOperationDuration
	tokens   genaiconv.ClientTokenUsage
	ttfc     genaiconv.ClientOperationTimeToFirstChunk
}

// New returns a Telemetry with opts (nil for defaults).
func New(opts *Options) (*Telemetry, error) {
	t := &Telemetry{}
	if opts != nil {
		t.opts = *opts
	}
	tp := t.opts.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	mp := t.opts.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	t.tracer = tp.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL))
	meter := mp.Meter(ScopeName, metric.WithSchemaURL(semconv.SchemaURL))
	var err error
	if t.duration, err = genaiconv.NewClientOperationDuration(meter); err != nil {
		return nil, fmt.Errorf("otelllm: new: %w", err)
	}
	if t.tokens, err = genaiconv.NewClientTokenUsage(meter); err != nil {
		return nil, fmt.Errorf("otelllm: new: %w", err)
	}
	if t.ttfc, err = genaiconv.NewClientOperationTimeToFirstChunk(meter); err != nil {
		return nil, fmt.Errorf("otelllm: new: %w", err)
	}
	return t, nil
}

// Middleware returns an [llm.Middleware] that traces the calls of the model it wraps,
// whose provider is named provider (gen_ai.provider.name, e.g. [ProviderAWSBedrock]).
func (t *Telemetry) Middleware(provider string) llm.Middleware {
	return func(next llm.Model) llm.Model { return t.Model(next, provider) }
}

// Model returns m traced: each Generate and Stream call is a client span named
// "chat <request model>" with the conventions' attributes, and feeds the client
// metrics gen_ai.client.operation.duration, gen_ai.client.token.usage and (streams)
// gen_ai.client.operation.time_to_first_chunk. Errors and stream events pass through
// unchanged. provider names the provider (gen_ai.provider.name). The model keeps m's
// capabilities and token counting ([llm.Inherit]), untraced.
func (t *Telemetry) Model(m llm.Model, provider string) llm.Model {
	return llm.Inherit(&model{t: t, next: m, provider: provider}, m)
}

type model struct {
	t        *Telemetry
	next     llm.Model
	provider string
	starts   cache[string, *spanStart]         // by request model
	sets     cache[metricKey, *metricSets]     // by request model, response model, error type
	reasons  cache[string, attribute.KeyValue] // gen_ai.response.finish_reasons, by reason
}

// cache is a concurrent map that holds at most maxCached values; past that bound,
// values are built per call. The entry used last is kept aside: a model called with
// one request model finds it without hashing.
type cache[K comparable, V any] struct {
	m    sync.Map
	n    atomic.Int32
	last atomic.Pointer[entry[K, V]]
}

type entry[K comparable, V any] struct {
	k K
	v V
}

// maxCached bounds each cache of a model.
const maxCached = 1024

func (c *cache[K, V]) load(k K) (V, bool) {
	if e := c.last.Load(); e != nil && e.k == k {
		return e.v, true
	}
	v, ok := c.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	c.last.Store(&entry[K, V]{k, v.(V)})
	return v.(V), true
}

// store keeps v for k unless the cache is full, and returns the value kept (another
// goroutine's, if it stored one first).
func (c *cache[K, V]) store(k K, v V) V {
	if c.n.Load() >= maxCached {
		return v
	}
	if old, loaded := c.m.LoadOrStore(k, v); loaded {
		return old.(V)
	}
	c.n.Add(1)
	return v
}

// spanStart is how the spans of one request model start: their name, and the span
// kind and the attributes a sampler may look at.
type spanStart struct {
	name string
	opts []trace.SpanStartOption
}

// spanStart returns the span name and start options for reqModel, built once.
func (m *model) spanStart(reqModel string) *spanStart {
	if s, ok := m.starts.load(reqModel); ok {
		return s
	}
	name := opChat
	if reqModel != "" {
		name += " " + reqModel
	}
	s := &spanStart{name: name, opts: []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			semconv.GenAIOperationNameKey.String(opChat),
			semconv.GenAIProviderNameKey.String(m.provider),
			semconv.GenAIRequestModel(reqModel),
		),
	}}
	return m.starts.store(reqModel, s)
}

// metricKey is what varies between the attribute sets of a model's metrics.
type metricKey struct {
	reqModel, respModel, errType string
}

// metricSets are the record options (attribute sets) of one metricKey: of a call
// (duration, time to first chunk) and of its input and output tokens.
type metricSets struct {
	call, input, output []metric.RecordOption
}

// metricSets returns the record options for k, built once: building an attribute set
// sorts and deduplicates its attributes, which would otherwise cost every call.
func (m *model) metricSets(k metricKey) *metricSets {
	if s, ok := m.sets.load(k); ok {
		return s
	}
	t := m.t
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs,
		semconv.GenAIOperationNameKey.String(opChat),
		semconv.GenAIProviderNameKey.String(m.provider),
	)
	if k.reqModel != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(k.reqModel))
	}
	if k.respModel != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(k.respModel))
	}
	if k.errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(k.errType))
	}
	if t.opts.ServerAddress != "" {
		attrs = append(attrs, semconv.ServerAddress(t.opts.ServerAddress))
	}
	if t.opts.ServerPort > 0 {
		attrs = append(attrs, semconv.ServerPort(t.opts.ServerPort))
	}
	n := len(attrs)
	opt := func(kvs ...attribute.KeyValue) []metric.RecordOption {
		return []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(kvs...))}
	}
	s := &metricSets{
		call:   opt(attrs...),
		input:  opt(append(attrs[:n:n], semconv.GenAITokenTypeInput)...),
		output: opt(append(attrs[:n:n], semconv.GenAITokenTypeOutput)...),
	}
	return m.sets.store(k, s)
}

const opChat = "chat"

func (m *model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	var c call // on the stack: a traced Generate allocates nothing of its own
	m.start(&c, ctx, req, false)
	resp, err := m.next.Generate(c.ctx, req)
	c.end(resp, err)
	return resp, err
}

func (m *model) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	c := new(call)
	m.start(c, ctx, req, true)
	s, err := m.next.Stream(c.ctx, req)
	if err != nil {
		c.end(nil, err)
		return nil, err
	}
	if s == nil {
		c.end(nil, errors.New("model returned no stream and no error"))
		return nil, nil
	}
	return llm.RelayStream(ctx, s, &llm.RelayHooks{First: c.firstEvent, End: c.end}), nil
}

// call is one traced model call.
type call struct {
	m         *model
	ctx       context.Context
	span      trace.Span
	req       *llm.Request
	start     time.Time
	first     time.Duration // time to the first event of a stream; 0 until it comes
	recording bool          // the span records: attrs are set on it when the call ends
	// attrs are the span's attributes beyond those given to Start, built when the call
	// starts and set in one SetAttributes call when it ends (each call locks the span
	// and may grow its attribute slice).
	attrs []attribute.KeyValue
}

// endAttrCap is the most attributes end adds to the request's: the response's six
// and the time to first chunk (or the time to first chunk and the error type).
const endAttrCap = 7

func (m *model) start(c *call, ctx context.Context, req *llm.Request, stream bool) {
	c.m, c.req, c.start = m, req, time.Now()
	if req == nil {
		req = &llm.Request{}
	}
	// The attributes a sampler may look at go to Start; the rest only to a span that
	// records (an unsampled span costs next to nothing).
	ss := m.spanStart(req.Model)
	c.ctx, c.span = m.t.tracer.Start(ctx, ss.name, ss.opts...)
	if c.recording = c.span.IsRecording(); c.recording {
		c.attrs = m.requestAttrs(req, stream)
	}
}

// requestAttrs returns the request's attributes in a slice with room for the
// response's.
func (m *model) requestAttrs(req *llm.Request, stream bool) []attribute.KeyValue {
	n := endAttrCap + 2 // server.address and server.port
	for _, set := range []bool{stream, req.MaxTokens > 0, req.Temperature != nil, req.TopP != nil,
		len(req.StopSequences) > 0, req.Output != nil} {
		if set {
			n++
		}
	}
	if m.t.opts.CaptureContent {
		n += 3 // input messages, system instructions, tool definitions
	}
	attrs := make([]attribute.KeyValue, 0, n)
	if stream {
		attrs = append(attrs, semconv.GenAIRequestStream(true))
	}
	if req.MaxTokens > 0 {
		attrs = append(attrs, semconv.GenAIRequestMaxTokens(req.MaxTokens))
	}
	if req.Temperature != nil {
		attrs = append(attrs, semconv.GenAIRequestTemperature(*req.Temperature))
	}
	if req.TopP != nil {
		attrs = append(attrs, semconv.GenAIRequestTopP(*req.TopP))
	}
	if len(req.StopSequences) > 0 {
		attrs = append(attrs, semconv.GenAIRequestStopSequences(req.StopSequences...))
	}
	if req.Output != nil {
		attrs = append(attrs, semconv.GenAIOutputTypeJSON)
	}
	if m.t.opts.ServerAddress != "" {
		attrs = append(attrs, semconv.ServerAddress(m.t.opts.ServerAddress))
	}
	if m.t.opts.ServerPort > 0 {
		attrs = append(attrs, semconv.ServerPort(m.t.opts.ServerPort))
	}
	if m.t.opts.CaptureContent {
		attrs = append(attrs, inputContent(req)...)
	}
	return attrs
}

// firstEvent notes the time of a stream's first event.
func (c *call) firstEvent(llm.Event) {
	c.first = max(time.Since(c.start), time.Nanosecond)
}

// end ends the span and records the metrics.
func (c *call) end(resp *llm.Response, err error) {
	t := c.m.t
	model := ""
	if c.req != nil {
		model = c.req.Model
	}
	var respModel, errType string
	if err != nil {
		errType = ErrorType(err)
	} else if resp != nil {
		respModel = resp.Model
	}
	if c.recording {
		attrs := c.attrs
		if c.first > 0 {
			attrs = append(attrs, semconv.GenAIResponseTimeToFirstChunk(c.first.Seconds()))
		}
		if err != nil {
			attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
			c.span.SetStatus(codes.Error, err.Error())
		} else if resp != nil {
			attrs = c.m.appendResponseAttrs(attrs, resp)
			if t.opts.CaptureContent {
				attrs = append(attrs, outputContent(resp)...)
			}
		}
		c.span.SetAttributes(attrs...)
	}
	c.record(resp, err, model, respModel, errType)
	c.span.End()
}

// record records the call's metrics, unless no instrument is enabled (no MeterProvider
// set, or views that drop them).
func (c *call) record(resp *llm.Response, err error, model, respModel, errType string) {
	t, ctx := c.m.t, c.ctx
	// The instruments themselves, with the cached options: genaiconv's RecordSet would
	// build an option per record.
	duration, ttfc, tokens := t.duration.Inst(), t.ttfc.Inst(), t.tokens.Inst()
	if !duration.Enabled(ctx) && !tokens.Enabled(ctx) && (c.first == 0 || !ttfc.Enabled(ctx)) {
		return
	}
	sets := c.m.metricSets(metricKey{reqModel: model, respModel: respModel, errType: errType})
	duration.Record(ctx, time.Since(c.start).Seconds(), sets.call...)
	if c.first > 0 {
		ttfc.Record(ctx, c.first.Seconds(), sets.call...)
	}
	if err == nil && resp != nil {
		u := resp.Usage
		tokens.Record(ctx, int64(inputTokens(u)), sets.input...)
		tokens.Record(ctx, int64(u.OutputTokens), sets.output...)
	}
}

// inputTokens counts every input token, cached ones included, as the conventions ask
// (llm.Usage.InputTokens leaves out cache reads and writes).
func inputTokens(u llm.Usage) int { return u.InputTokens + u.CacheReadTokens + u.CacheWriteTokens }

// appendResponseAttrs appends the response's attributes to attrs.
func (m *model) appendResponseAttrs(attrs []attribute.KeyValue, resp *llm.Response) []attribute.KeyValue {
	u := resp.Usage
	if resp.RequestID != "" {
		attrs = append(attrs, semconv.GenAIResponseID(resp.RequestID))
	}
	if resp.Model != "" {
		attrs = append(attrs, semconv.GenAIResponseModel(resp.Model))
	}
	attrs = append(attrs,
		m.finishReasons(finishReason(resp)),
		semconv.GenAIUsageInputTokens(inputTokens(u)),
		semconv.GenAIUsageOutputTokens(u.OutputTokens),
	)
	if u.CacheReadTokens > 0 {
		attrs = append(attrs, semconv.GenAIUsageCacheReadInputTokens(u.CacheReadTokens))
	}
	if u.CacheWriteTokens > 0 {
		attrs = append(attrs, semconv.GenAIUsageCacheCreationInputTokens(u.CacheWriteTokens))
	}
	return attrs
}

// finishReasons returns the gen_ai.response.finish_reasons attribute of reason, built
// once: a string-slice attribute costs two allocations to build, and an attribute's
// value never changes, so spans can share it.
func (m *model) finishReasons(reason string) attribute.KeyValue {
	if kv, ok := m.reasons.load(reason); ok {
		return kv
	}
	return m.reasons.store(reason, semconv.GenAIResponseFinishReasons(reason))
}

// finishReason is the provider's own stop reason when known, else llmkit's.
func finishReason(resp *llm.Response) string {
	if resp.RawStopReason != "" {
		return resp.RawStopReason
	}
	return string(resp.StopReason)
}

// ErrorType returns the error.type value for err: the provider's error code when it
// has one (e.g. "ThrottlingException"), else the name of err's llm category (e.g.
// "rate_limited"), "canceled" or "deadline_exceeded" for a context that ended, and
// "_OTHER" otherwise.
func ErrorType(err error) string {
	var pe *llm.ProviderError
	if errors.As(err, &pe) && pe.Code != "" {
		return pe.Code
	}
	for _, c := range categories {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return semconv.ErrorTypeOther.Value.AsString()
}

var categories = []struct {
	err  error
	name string
}{
	{context.Canceled, "canceled"},
	{llm.ErrInvalidRequest, "invalid_request"},
	{llm.ErrContextTooLong, "context_too_long"},
	{llm.ErrRateLimited, "rate_limited"},
	{llm.ErrAuth, "auth"},
	{llm.ErrNotFound, "not_found"},
	{llm.ErrTimeout, "timeout"},
	{llm.ErrModelNotReady, "model_not_ready"},
	{llm.ErrServer, "server"},
	{llm.ErrStream, "stream"},
	{llm.ErrContentFiltered, "content_filtered"},
	{llm.ErrNoObject, "no_object"},
	{llm.ErrMaxSteps, "max_steps"},
	{llm.ErrTruncated, "truncated"},
	{context.DeadlineExceeded, "deadline_exceeded"},
}
