package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/llmkit/llmkit/llm"
)

// ChatAPI is the part of openai-go's *openai.Client that a [Model] calls: its Post,
// with the chat/completions path and the request body. The body is the JSON of the
// parameters of [FormatRequest] as a []byte, which the Model encodes itself with
// encoding/json (see body.go for why); parameters holding something that encoding does
// not carry are passed as the *openai.ChatCompletionNewParams for openai-go to encode.
// The Model asks for the raw *http.Response and decodes the answer itself (see wire.go),
// so openai-go still does the rest: authentication, base URL, Azure, retries with
// Retry-After, middleware, error responses as *openai.Error. A Model calls it
// concurrently when it is used concurrently.
type ChatAPI interface {
	Post(ctx context.Context, path string, params any, res any, opts ...option.RequestOption) error
}

var _ ChatAPI = (*oai.Client)(nil)

// Options configures a [Model]. A nil *Options means the defaults.
type Options struct {
	// Capabilities overrides the built-in capability table ([CapabilitiesFor]) for the
	// model ids it holds, as given in [llm.Request.Model]. Use it for fine-tuned models,
	// local servers' model names and deployments whose names do not say the model.
	Capabilities map[string]llm.Capabilities
	// IdleTimeout, when positive, ends a stream with an error when no chunk arrives for
	// that long. Zero means no limit beyond the context.
	IdleTimeout time.Duration
}

// Config says where and how a Model built by [NewWithConfig] connects. Nothing is read
// from the environment (see [NewFromEnv] for that).
type Config struct {
	// BaseURL is the API root, "https://api.openai.com/v1/" when empty; e.g.
	// "https://api.groq.com/openai/v1/", "http://localhost:11434/v1/" (Ollama).
	BaseURL string
	// APIKey is sent as a bearer token (Azure: as the api-key header). Empty sends
	// none, for local servers.
	APIKey string
	// Organization and Project set OpenAI's OpenAI-Organization and OpenAI-Project
	// headers.
	Organization, Project string
	// Headers are sent with every request.
	Headers map[string]string
	// AzureAPIVersion, when set, speaks Azure OpenAI's scheme: BaseURL is the
	// resource's endpoint ("https://NAME.openai.azure.com"), requests go to
	// /openai/deployments/DEPLOYMENT/chat/completions?api-version=AzureAPIVersion, and
	// the key is sent as the api-key header.
	AzureAPIVersion string
	// AzureDeployment is the deployment to call; empty uses each request's model id as
	// the deployment name.
	AzureDeployment string
	// HTTPClient sends the requests; http.DefaultClient when nil.
	HTTPClient *http.Client
	// MaxRetries is how often openai-go retries a failed call (429, 5xx, connection
	// errors), honouring Retry-After; zero keeps openai-go's default (2), negative
	// means none.
	MaxRetries int
}

// Model is an [llm.Model] on the Chat Completions API of OpenAI and the services that
// speak it. It translates requests with the rules of [FormatRequest], sends them
// through openai-go, and translates answers with [ParseResponse] and (for streams)
// [ParseStreamChunk]'s mapping. A Model is safe for concurrent use.
type Model struct {
	client  ChatAPI
	caps    map[string]llm.Capabilities
	idle    time.Duration
	perCall func(model string) []option.RequestOption
}

var (
	_ llm.Model              = (*Model)(nil)
	_ llm.CapabilityReporter = (*Model)(nil)
)

// New returns a Model that calls client, typically an *openai.Client the caller built
// with openai.NewClient (which reads OPENAI_API_KEY and other variables). opts may be
// nil. New panics if client is nil.
func New(client ChatAPI, opts *Options) *Model {
	if client == nil {
		panic("openai: New: nil client")
	}
	m := &Model{client: client}
	if opts != nil {
		m.caps = opts.Capabilities
		m.idle = opts.IdleTimeout
	}
	return m
}

// NewWithConfig returns a Model on a new openai-go chat service configured by cfg
// alone: no environment variable is read. opts may be nil.
func NewWithConfig(cfg Config, opts *Options) *Model {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	ro := []option.RequestOption{option.WithHTTPClient(hc)}
	base := cfg.BaseURL
	if base == "" {
		base = "https://api.openai.com/v1/"
	}
	switch {
	case cfg.MaxRetries < 0:
		ro = append(ro, option.WithMaxRetries(0))
	case cfg.MaxRetries > 0:
		ro = append(ro, option.WithMaxRetries(cfg.MaxRetries))
	}
	if cfg.Organization != "" {
		ro = append(ro, option.WithOrganization(cfg.Organization))
	}
	if cfg.Project != "" {
		ro = append(ro, option.WithProject(cfg.Project))
	}
	for k, v := range cfg.Headers {
		ro = append(ro, option.WithHeader(k, v))
	}
	var perCall func(string) []option.RequestOption
	if cfg.AzureAPIVersion != "" {
		root := strings.TrimRight(base, "/") + "/openai/deployments/"
		ro = append(ro, option.WithQuery("api-version", cfg.AzureAPIVersion))
		if cfg.APIKey != "" {
			ro = append(ro, option.WithHeader("api-key", cfg.APIKey))
		}
		if cfg.AzureDeployment != "" {
			ro = append(ro, option.WithBaseURL(root+url.PathEscape(cfg.AzureDeployment)+"/"))
		} else {
			ro = append(ro, option.WithBaseURL(root))
			perCall = func(model string) []option.RequestOption {
				return []option.RequestOption{option.WithBaseURL(root + url.PathEscape(model) + "/")}
			}
		}
	} else {
		ro = append(ro, option.WithBaseURL(base))
		if cfg.APIKey != "" {
			ro = append(ro, option.WithAPIKey(cfg.APIKey))
		}
	}
	// A client built from the options alone: openai.NewClient would add what it reads
	// from the environment.
	m := New(&oai.Client{Options: ro}, opts)
	m.perCall = perCall
	return m
}

// NewFromEnv is [NewWithConfig] with the API key from OPENAI_API_KEY and, when set, the
// base URL from OPENAI_BASE_URL, the organization from OPENAI_ORG_ID and the project
// from OPENAI_PROJECT_ID. It is the only function of the package that reads the
// environment. cfg's non-empty fields win over the environment.
func NewFromEnv(cfg Config, opts *Options) *Model {
	env := func(dst *string, key string) {
		if *dst == "" {
			*dst = os.Getenv(key)
		}
	}
	env(&cfg.APIKey, "OPENAI_API_KEY")
	env(&cfg.BaseURL, "OPENAI_BASE_URL")
	env(&cfg.Organization, "OPENAI_ORG_ID")
	env(&cfg.Project, "OPENAI_PROJECT_ID")
	return NewWithConfig(cfg, opts)
}

// Capabilities reports what model supports: the Model's override for it, if any, else
// the built-in table ([CapabilitiesFor]).
func (m *Model) Capabilities(model string) llm.Capabilities {
	return capabilitiesFor(model, m.caps)
}

func (m *Model) format(req *llm.Request, op string, stream bool) (*chatParams, error) {
	var model string
	if req != nil {
		model = req.Model
	}
	p, err := formatRequest(req, m.Capabilities(model), stream)
	if err != nil {
		var ire *llm.InvalidRequestError
		if errors.As(err, &ire) {
			ire.Op = op
		}
		return nil, err
	}
	return p, nil
}

func (m *Model) callOptions(model string, extra ...option.RequestOption) []option.RequestOption {
	if m.perCall == nil {
		return extra
	}
	return append(m.perCall(model), extra...)
}

// body is what the Model passes to the client's Post for p: the JSON body it encodes
// itself (body.go), or, when p holds something that encoding does not carry, the
// parameters for openai-go to encode. stream adds "stream": true.
func (m *Model) body(p *chatParams, model string, stream bool) (any, []option.RequestOption) {
	if raw, ok := requestBody(&p.body, stream); ok {
		return raw, m.callOptions(model)
	}
	if stream {
		return &p.body, m.callOptions(model, option.WithJSONSet("stream", true))
	}
	return &p.body, m.callOptions(model)
}

// Generate sends req as one Chat Completions call and returns the answer. A request
// that cannot be sent is rejected with an [*llm.InvalidRequestError] before any I/O;
// errors from the service are [*llm.ProviderError]s with the request id and
// Retry-After. The response's Warnings start with what FormatRequest could not honour.
// With [llm.Request.Output], the object is the message's text and, when it is a JSON
// object, [llm.Response.Object].
func (m *Model) Generate(ctx context.Context, req *llm.Request) (*llm.Response, error) {
	p, err := m.format(req, opChat, false)
	if err != nil {
		return nil, err
	}
	var hr *http.Response
	start := time.Now()
	body, opts := m.body(p, req.Model, false)
	if err := m.client.Post(ctx, "chat/completions", body, &hr, opts...); err != nil {
		return nil, mapError(opChat, err, false)
	}
	rid := requestID(hr)
	var out wireCompletion
	err = json.NewDecoder(hr.Body).Decode(&out)
	_ = hr.Body.Close()
	if err != nil {
		return nil, withRequestID(mapError(opChat, fmt.Errorf("openai: decode the answer: %w", err), false), rid)
	}
	resp, err := parseCompletion(&out)
	if err != nil {
		return nil, &llm.ProviderError{Provider: "openai", Op: opChat, RequestID: rid, Category: llm.ErrServer, Err: err}
	}
	resp.RequestID = rid
	resp.Latency = time.Since(start)
	if len(p.warnings) > 0 {
		resp.Warnings = append(append(make([]llm.Warning, 0, len(p.warnings)+len(resp.Warnings)), p.warnings...), resp.Warnings...)
	}
	applyObject(resp, p)
	return resp, nil
}

func requestID(hr *http.Response) string {
	if hr == nil {
		return ""
	}
	return hr.Header.Get("x-request-id")
}

// Stream sends req as a streamed Chat Completions call (with
// stream_options.include_usage) and returns the answer as an [*llm.Stream]. A request
// that cannot be sent and an HTTP error before the stream starts are returned here;
// everything after — an error object in the stream, malformed or truncated server-sent
// events, a stream without its finish reason or its closing [DONE] — ends the stream's
// events with an error, never a short success. Breaking out of the events, cancelling
// ctx, an idle timeout and [llm.Stream.Close] close the connection.
//
// The accumulated response ([llm.Stream.Response]) equals what Generate returns for the
// same answer, but for Latency, which a stream does not report.
func (m *Model) Stream(ctx context.Context, req *llm.Request) (*llm.Stream, error) {
	p, err := m.format(req, opChatStream, true)
	if err != nil {
		return nil, err
	}
	var hr *http.Response
	body, opts := m.body(p, req.Model, true)
	err = m.client.Post(ctx, "chat/completions", body, &hr, opts...)
	if err != nil {
		return nil, mapError(opChatStream, err, false)
	}
	rid := requestID(hr)
	tr := newStreamTranslator(p)
	return llm.NewStream(ctx, streamEvents(newEventReader(hr.Body), tr, rid), &llm.StreamOptions{
		Close:       hr.Body.Close,
		IdleTimeout: m.idle,
		RequestID:   rid,
		Warnings:    p.warnings,
		Finish: func(resp *llm.Response) error {
			tr.complete(resp)
			return nil
		},
	}), nil
}

// streamEvents is the event source of a Model's stream: the server-sent events decoded
// and translated, a broken stream mapped. It does not close the body; the llm.Stream
// around it does, on every way out.
func streamEvents(r *eventReader, tr *streamTranslator, rid string) iter.Seq2[llm.Event, error] {
	fail := func(reason string, err error) error {
		return &llm.ProviderError{Provider: "openai", Op: opChatStream, RequestID: rid, Category: llm.ErrStream,
			Err: &llm.StreamError{Reason: reason, Err: err}}
	}
	return func(yield func(llm.Event, error) bool) {
		var buf []llm.Event
		// One chunk value for the whole stream, cleared before each decode (decoding
		// into a used value would merge): a fresh one per chunk cost an allocation.
		// The translator keeps nothing of it but strings.
		var chunk wireCompletion
		for {
			data, err := r.next()
			switch {
			case err == io.EOF:
				yield(nil, fail("truncated", errNoDone))
				return
			case err != nil:
				yield(nil, withRequestID(mapError(opChatStream, err, true), rid))
				return
			case isDone(data):
				evs, err := tr.end(buf[:0])
				if err != nil {
					yield(nil, fail("truncated", err))
					return
				}
				for _, e := range evs {
					if !yield(e, nil) {
						return
					}
				}
				return
			}
			chunk = wireCompletion{}
			if err := json.Unmarshal(data, &chunk); err != nil {
				yield(nil, fail("malformed event", fmt.Errorf("%w: %.80q", err, data)))
				return
			}
			if chunk.Choices == nil && chunk.Usage == nil {
				if perr := streamError(data, rid); perr != nil {
					yield(nil, perr)
					return
				}
			}
			buf, err = tr.translate(buf[:0], &chunk)
			if err != nil {
				yield(nil, fail("bad chunk", err))
				return
			}
			for _, e := range buf {
				if !yield(e, nil) {
					return
				}
			}
		}
	}
}

// withRequestID sets the request id of a ProviderError that has none.
func withRequestID(err error, rid string) error {
	var pe *llm.ProviderError
	if errors.As(err, &pe) && pe.RequestID == "" {
		pe.RequestID = rid
	}
	return err
}
