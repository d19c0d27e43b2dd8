package openaitest

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
)

// ScriptedHarness returns a conformance harness for m, a provider on the Chat
// Completions protocol sending to srv, for the model id modelID: the suite's scripted
// answers are queued on srv (text in several deltas, tool-call arguments in several
// fragments), and its faults are injected in OpenAI's shapes (a 429 with Retry-After, a
// 400, an error object inside a stream). The provider is a parameter so that this
// package does not depend on it.
func ScriptedHarness(srv *Server, m llm.Model, modelID string) *conformance.Harness {
	return &conformance.Harness{
		Model:    m,
		ModelID:  modelID,
		Scripter: scripter{srv: srv},
		Faults:   faultInjector{srv: srv},
	}
}

type scripter struct{ srv *Server }

func (s scripter) Enqueue(r conformance.ScriptedAnswer) error {
	shape := func(reply Reply) Reply {
		reply = reply.Split(5)
		if r.Interval > 0 {
			reply = reply.Pace(r.Interval)
		}
		return reply
	}
	switch {
	case r.Events != nil:
		s.srv.Enqueue(shape(Events(r.Events...)))
	case r.Response == nil:
		return errors.New("openaitest: enqueue: scripted reply with neither a response nor events")
	case r.Response.Object != nil:
		s.srv.Enqueue(objectReply(r.Response, shape))
	default:
		s.srv.Enqueue(shape(Respond(r.Response)))
	}
	return nil
}

// objectReply answers a structured-output request the way Chat Completions models do:
// with response_format json_schema, the object as the text; through a forced output
// tool, a call of that tool whose input is the object.
func objectReply(resp *llm.Response, shape func(Reply) Reply) Reply {
	return Func(func(req Request) Reply {
		var body struct {
			ResponseFormat json.RawMessage `json:"response_format"`
			ToolChoice     struct {
				Function struct {
					Name string `json:"name"`
				} `json:"function"`
			} `json:"tool_choice"`
		}
		if err := json.Unmarshal(req.Body, &body); err != nil {
			return Error(400, "invalid_request_error", "", "openaitest: object reply: "+err.Error())
		}
		if name := body.ToolChoice.Function.Name; body.ResponseFormat == nil && name != "" {
			return shape(Respond(&llm.Response{
				Message:    llm.Message{Role: llm.RoleAssistant, Parts: []llm.Part{llm.ToolCall{ID: "call_object", Name: name, Input: resp.Object}}},
				StopReason: llm.StopReasonEndTurn, RawStopReason: "stop",
				Usage: resp.Usage,
			}))
		}
		return shape(Respond(resp))
	})
}

type faultInjector struct{ srv *Server }

func (f faultInjector) Inject(fault conformance.Fault) error {
	var reply Reply
	switch fault.Kind {
	case conformance.FaultThrottling:
		reply = Error(429, "requests", "rate_limit_exceeded", "Rate limit reached for requests").WithHeader("Retry-After", "1")
	case conformance.FaultValidation:
		reply = Error(400, "invalid_request_error", "", "Additional properties are not allowed ('foo' was unexpected)")
	case conformance.FaultStreamException:
		// After the role chunk and the first text delta.
		reply = Respond(fault.Partial).Split(8).ErrorAfter(2, "server_error", "", "The server had an error while processing your request.")
	case conformance.FaultStreamThrottling:
		reply = Respond(fault.Partial).Split(8).ErrorAfter(2, "tokens", "rate_limit_exceeded", "Rate limit reached for tokens")
	default:
		return fmt.Errorf("openaitest: inject: unknown fault %q", fault.Kind)
	}
	f.srv.Enqueue(reply)
	return nil
}
