package bedrocktest_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// These tests run the simulator under bedrock.Model, the way llmkit's users meet it.

func modelRequest() *llm.Request {
	return &llm.Request{Model: "anthropic.claude-3-haiku-20240307-v1:0", Messages: []llm.Message{llm.UserText("hi")}}
}

// TestModelStreamEqualsGenerate checks that one scripted response, generated and
// streamed (in any shaping), gives the same neutral response through bedrock.Model.
func TestModelStreamEqualsGenerate(t *testing.T) {
	s := newServer(t, nil)
	m := bedrock.New(s.Client(nil), nil)
	for _, tt := range neutralCases {
		if tt.resp.StopReason == llm.StopReasonUnknown {
			continue // an unknown raw reason stays raw: covered by TestRespond
		}
		t.Run(tt.name, func(t *testing.T) {
			s.Enqueue(bedrocktest.Respond(tt.resp), bedrocktest.Respond(tt.resp).Padded().Split(2).Chunked(9))
			gen, err := m.Generate(t.Context(), modelRequest())
			if err != nil {
				t.Fatalf("Generate: %v", err)
			}
			st, err := m.Stream(t.Context(), modelRequest())
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			streamed, err := st.Response()
			if err != nil {
				t.Fatalf("Stream.Response: %v", err)
			}
			ignore := cmpopts.IgnoreFields(llm.Response{}, "RequestID", "Warnings")
			if diff := cmp.Diff(gen, streamed, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("streamed response differs from the generated one (-generate +stream):\n%s", diff)
			}
			if diff := cmp.Diff(withObjectInputs(tt.resp.Message), gen.Message, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("generated message differs from the scripted one (-scripted +generated):\n%s", diff)
			}
			if gen.Usage != tt.resp.Usage || gen.StopReason != tt.resp.StopReason {
				t.Errorf("Generate: usage %+v stop %s, want %+v %s", gen.Usage, gen.StopReason, tt.resp.Usage, tt.resp.StopReason)
			}
		})
	}
}

// withObjectInputs returns m with empty tool-call inputs as {}, as they arrive.
func withObjectInputs(m llm.Message) llm.Message {
	m = m.Clone()
	for i, p := range m.Parts {
		if c, ok := p.(llm.ToolCall); ok && len(c.Input) == 0 {
			c.Input = json.RawMessage("{}")
			m.Parts[i] = c
		}
	}
	return m
}

// TestModelFaults checks the llm error each fault becomes through bedrock.Model.
func TestModelFaults(t *testing.T) {
	tests := []struct {
		name     string
		reply    bedrocktest.ServerReply
		stream   bool
		reason   string
		category error
		status   int
		id       string
	}{
		{"throttling", bedrocktest.Error(bedrocktest.ThrottlingException, "Too many requests").WithRequestID("r-429"), false, "HTTP 429", llm.ErrRateLimited, 429, "r-429"},
		{"context-overflow", bedrocktest.Error(bedrocktest.ValidationException, "Input is too long for requested model.").WithRequestID("r-400"), false, "a validation error naming the context", llm.ErrContextTooLong, 400, "r-400"},
		{"access-denied", bedrocktest.Error(bedrocktest.AccessDeniedException, "no access").WithRequestID("r-403"), true, "HTTP 403 before a stream", llm.ErrAuth, 403, "r-403"},
		{"not-found", bedrocktest.Error(bedrocktest.ResourceNotFoundException, "no model").WithRequestID("r-404"), false, "HTTP 404", llm.ErrNotFound, 404, "r-404"},
		{"model-timeout", bedrocktest.Error(bedrocktest.ModelTimeoutException, "slow").WithRequestID("r-408"), false, "HTTP 408", llm.ErrTimeout, 408, "r-408"},
		{"model-error", bedrocktest.Error(bedrocktest.ModelErrorException, "boom").WithRequestID("r-424"), false, "HTTP 424", llm.ErrServer, 424, "r-424"},
		{"unavailable", bedrocktest.Error(bedrocktest.ServiceUnavailableException, "down").WithRequestID("r-503"), true, "HTTP 503", llm.ErrServer, 503, "r-503"},
		{"internal", bedrocktest.Error(bedrocktest.InternalServerException, "oops").WithRequestID("r-500"), false, "HTTP 500", llm.ErrServer, 500, "r-500"},
		{"exception-frame", bedrocktest.Respond(fiveFrames).ExceptionAfter(2, bedrocktest.ThrottlingException, "slow down").WithRequestID("r-mid"), true, "throttlingException mid-stream", llm.ErrRateLimited, 0, "r-mid"},
		{"truncated", bedrocktest.Respond(fiveFrames).TruncateAfter(2).WithRequestID("r-trunc"), true, "a truncated frame", llm.ErrStream, 0, "r-trunc"},
		{"cut", bedrocktest.Respond(fiveFrames).CutAfter(3).WithRequestID("r-cut"), true, "a connection cut inside a frame", llm.ErrStream, 0, "r-cut"},
		{"dropped", bedrocktest.Respond(fiveFrames).DropAfter(4).WithRequestID("r-drop"), true, "a connection dropped after message stop (usage lost)", llm.ErrStream, 0, "r-drop"},
	}
	s := newServer(t, nil)
	m := bedrock.New(s.Client(nil), nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.Enqueue(tt.reply)
			var err error
			if tt.stream {
				var st *llm.Stream
				if st, err = m.Stream(t.Context(), modelRequest()); err == nil {
					_, err = st.Response()
				}
			} else {
				_, err = m.Generate(t.Context(), modelRequest())
			}
			if !errors.Is(err, tt.category) {
				t.Fatalf("%s: error %v, want category %v", tt.reason, err, tt.category)
			}
			var pe *llm.ProviderError
			if errors.As(err, &pe) {
				if pe.StatusCode != tt.status || pe.RequestID != tt.id {
					t.Errorf("%s: status %d request id %q, want %d %q", tt.reason, pe.StatusCode, pe.RequestID, tt.status, tt.id)
				}
			} else if !errors.Is(err, llm.ErrStream) {
				t.Errorf("%s: error %v (%T) is neither a ProviderError nor a stream error", tt.reason, err, err)
			}
		})
	}
}
