package bedrock

import (
	"context"
	"errors"
	"iter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// ConverseAPI is the part of the SDK's *bedrockruntime.Client that a [Model] calls. A
// Model calls it concurrently when it is used concurrently. Tests and middleware may
// supply their own implementation.
type ConverseAPI interface {
	Converse(ctx context.Context, params *bedrockruntime.ConverseInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.ConverseOutput, error)
	ConverseStream(ctx context.Context, params *bedrockruntime.ConverseStreamInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.ConverseStreamOutput, error)
}

var _ ConverseAPI = (*bedrockruntime.Client)(nil)

// Options configures a [Model]. A nil *Options means the defaults; every zero field is
// usable.
type Options struct {
	// Capabilities overrides the built-in capability table (see [CapabilitiesFor]) for
	// the model ids it holds. A key is a model id as given in [llm.Request.Model], or its
	// base id (the id without its inference-profile prefix, or the model of a
	// foundation-model or inference-profile ARN); the id as given wins. Use it for
	// application inference profiles, provisioned throughput and custom models, whose
	// ids do not say which model they run.
	Capabilities map[string]llm.Capabilities
	// BaseModels says which base model an id runs, for ids that do not name it:
	// application inference profile, provisioned throughput and custom model ARNs. A key
	// is a model id as given in [llm.Request.Model]; its value a base model id or
	// inference profile ("anthropic.claude-haiku-4-5-20251001-v1:0"). The whole row of
	// the capability table for the base model then applies to the id — its capabilities
	// (unless Capabilities holds the id) and its other rules, such as Claude Haiku 4.5
	// taking temperature or topP but not both, how reasoning is asked for, and cache
	// TTLs. The id itself is still what is sent.
	BaseModels map[string]string
	// IdleTimeout, when positive, ends a stream with an error when no event arrives for
	// that long, closing the network stream. Zero means no limit beyond the context.
	IdleTimeout time.Duration
	// StreamDecoder selects how streams are read: llmkit's own event-stream decoder
	// (DecoderLLMKit, the zero value) or the SDK's (DecoderSDK).
	StreamDecoder StreamDecoder
}

// Model is an [llm.Model] on Amazon Bedrock's Converse API. It translates requests with
// the rules of [FormatRequest], sends them through the SDK client it was given, and
// translates answers with [ParseResponse] and [ParseStreamChunk]. A Model is safe for
// concurrent use.
type Model struct {
	client  ConverseAPI
	caps    map[string]llm.Capabilities
	bases   map[string]string
	idle    time.Duration
	schemas schemaCache  // normalised tool and output schemas, reused across calls
	frames  *frameReader // nil with DecoderSDK
}

var (
	_ llm.Model              = (*Model)(nil)
	_ llm.CapabilityReporter = (*Model)(nil)
)

// New returns a Model that calls Bedrock through client, typically a
// *bedrockruntime.Client. opts may be nil. New panics if client is nil.
//
// A client built by the caller should be built with [ConfigureClient]
// (bedrockruntime.New(opts, bedrock.ConfigureClient)): without it some streams are cut
// short or end early without an error (see [HTTPClient]), and concurrent streams on one
// client race in the SDK's shared event-stream decoder. [NewFromConfig] installs it.
func New(client ConverseAPI, opts *Options) *Model {
	if client == nil {
		panic("bedrock: New: nil client")
	}
	m := &Model{client: client}
	decoder := DecoderLLMKit
	if opts != nil {
		m.caps = opts.Capabilities
		m.bases = opts.BaseModels
		m.idle = opts.IdleTimeout
		decoder = opts.StreamDecoder
	}
	if decoder != DecoderSDK {
		m.frames = newFrameReader()
	}
	return m
}

// NewFromConfig returns a Model on a new *bedrockruntime.Client built from cfg (as
// loaded by config.LoadDefaultConfig: region, credentials, retries). The client sends
// through cfg.HTTPClient, or a default HTTP client when it is nil, configured with
// [ConfigureClient]: the request-body fix and stream watcher of [HTTPClient], and an
// event-stream decoder per stream. opts may be nil.
func NewFromConfig(cfg aws.Config, opts *Options) *Model {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = NewHTTPClient(nil) // tuned for many concurrent streams
	}
	return New(bedrockruntime.NewFromConfig(cfg, ConfigureClient), opts)
}

// Capabilities reports what model supports: the Model's override for it, if any, else
// llmkit's built-in table ([CapabilitiesFor]) for it or for its base model
// ([Options.BaseModels]).
func (m *Model) Capabilities(model string) llm.Capabilities {
	if c, ok := m.caps[model]; ok {
		return c
	}
	return capabilitiesFor(m.base(model), m.caps)
}

// base returns the id whose row of the capability table applies to model: its entry in
// [Options.BaseModels], else model itself.
func (m *Model) base(model string) string {
	if b, ok := m.bases[model]; ok && b != "" {
		return b
	}
	return model
}

// format translates req, with Op set for the operation in errors.
func (m *Model) format(req *llm.Request, op string) (*converseParams, error) {
	var model string
	if req != nil {
		model = req.Model
	}
	p, err := formatRequestCached(req, m.Capabilities(model), m.base(model), &m.schemas)
	if err != nil {
		return nil, withOp(err, op)
	}
	return p, nil
}

// Generate sends req with the Converse operation and returns the answer. A request that
// cannot be sent is rejected with an [*llm.InvalidRequestError] before any I/O. Errors
// from Bedrock are [*llm.ProviderError]s (see the package documentation); a cancelled
// context gives an [llm.ErrCanceled] one for which errors.Is(err, context.Canceled)
// holds too. The
// response's Warnings start with what FormatRequest could not honour, then what
// ParseResponse skipped. With [llm.Request.Output], the object is the message's text
// and, when it is a JSON object, [llm.Response.Object]; see the package documentation.
func (m *Model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	p, err := m.format(req, opConverse)
	if err != nil {
		return nil, err
	}
	var body []byte
	optFns := []func(*bedrockruntime.Options){captureBody(&body)}
	if len(p.opaque) > 0 {
		optFns = append(optFns, opaqueBody(p.opaque))
	}
	out, err := m.client.Converse(ctx, p.input, optFns...)
	if err != nil {
		return nil, mapError(opConverse, err, false)
	}
	resp, err := parseResponse(out, body)
	if err != nil {
		rid, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
		return nil, &llm.ProviderError{Provider: "bedrock", Op: opConverse, RequestID: rid, Category: llm.ErrServer, Err: err}
	}
	if len(p.warnings) > 0 {
		resp.Warnings = append(append(make([]llm.Warning, 0, len(p.warnings)+len(resp.Warnings)), p.warnings...), resp.Warnings...)
	}
	applyObject(resp, p)
	if p.dedupeCalls {
		dropRepeatedToolCalls(resp)
	}
	return resp, nil
}

// Stream sends req with the ConverseStream operation and returns the answer as an
// [*llm.Stream]. A request that cannot be sent, and an HTTP error before the stream
// starts, are returned here; everything after — an exception frame mid-stream, a
// broken or truncated stream, a stream that ends without its messageStop — ends the
// stream's events with an error. Breaking out of the events, cancelling ctx, an idle
// timeout ([Options.IdleTimeout]) and [llm.Stream.Close] close the network stream. A
// stream that is neither read to its end nor closed holds a connection (and, with
// [DecoderSDK], the SDK's reader goroutines) until ctx ends — cancelling ctx releases them
// at once, read or not; with a context that never ends, call Close when abandoning one
// unread. With [DecoderLLMKit] the frames are read on the goroutine that ranges over the
// events; the stream starts no goroutine of its own.
//
// The accumulated response ([llm.Stream.Response]) equals what Generate returns for the
// same answer: same parts, stop reason, usage, warnings and Object.
func (m *Model) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	p, err := m.format(req, opConverseStream)
	if err != nil {
		return nil, err
	}
	var taker bodyTaker
	var optFns []func(*bedrockruntime.Options)
	if m.frames != nil {
		optFns = append(optFns, taker.install)
	}
	if len(p.opaque) > 0 {
		optFns = append(optFns, opaqueBody(p.opaque))
	}
	out, err := m.client.ConverseStream(ctx, p.streamInput(), optFns...)
	if err != nil {
		if taker.body != nil {
			_ = taker.body.Close()
		}
		return nil, mapError(opConverseStream, err, false)
	}
	rid, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	tr := newStreamTranslator(p)
	var finish func(*llm.Response) error
	if p.objectTool != "" || p.native || p.dedupeCalls {
		finish = func(resp *llm.Response) error {
			tr.finish(resp)
			if p.dedupeCalls {
				dropRepeatedToolCalls(resp)
			}
			return nil
		}
	}
	opts := &llm.StreamOptions{IdleTimeout: m.idle, RequestID: rid, Warnings: p.warnings, Finish: finish}
	if body := taker.body; body != nil {
		// The SDK's reader was never started: llmkit reads the body. An error closing it
		// after the events is not the stream's, as with the SDK's reader.
		opts.Close = func() error { _ = body.Close(); return nil }
		return llm.NewStream(ctx, m.frames.events(body, tr, rid), opts), nil
	}
	es := out.GetStream()
	if es == nil {
		return nil, &llm.ProviderError{Provider: "bedrock", Op: opConverseStream, RequestID: rid, Category: llm.ErrServer, Err: errNoBody}
	}
	opts.Close = func() error { return withRequestID(mapError(opConverseStream, es.Close(), true), rid) }
	return llm.NewStream(ctx, streamEvents(es, tr, rid), opts), nil
}

// eventStream is the part of *bedrockruntime.ConverseStreamEventStream a stream reads.
type eventStream interface {
	Events() <-chan types.ConverseStreamOutput
	Err() error
}

// streamEvents is the event source of a Model's stream: the SDK's events through the
// translator, then the SDK stream's error, mapped. It does not close the SDK stream;
// the llm.Stream around it does, on every way out.
func streamEvents(es eventStream, tr *streamTranslator, rid string) iter.Seq2[llm.Event, error] {
	return func(yield func(llm.Event, error) bool) {
		var buf []llm.Event
		for ev := range es.Events() {
			var err error
			buf, err = tr.translate(buf[:0], ev)
			if err != nil {
				yield(nil, &llm.ProviderError{Provider: "bedrock", Op: opConverseStream, RequestID: rid, Category: llm.ErrStream, Err: err})
				return
			}
			for _, e := range buf {
				if !yield(e, nil) {
					return
				}
			}
		}
		if err := es.Err(); err != nil {
			yield(nil, withRequestID(mapError(opConverseStream, err, true), rid))
			return
		}
		tr.yieldEnd(yield, buf, rid)
	}
}

// withRequestID sets the request id of a ProviderError that has none: errors inside a
// stream come without the HTTP response that carried it.
func withRequestID(err error, rid string) error {
	var pe *llm.ProviderError
	if errors.As(err, &pe) && pe.RequestID == "" {
		pe.RequestID = rid
	}
	return err
}
