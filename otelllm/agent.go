package otelllm

import (
	"context"
	"encoding/json"
	"errors"
	"iter"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/llm"
)

// AgentInfo describes an agent on its invoke_agent spans. Name is required; the rest is
// optional.
type AgentInfo struct {
	Name        string // gen_ai.agent.name
	ID          string // gen_ai.agent.id
	Description string // gen_ai.agent.description
	Provider    string // gen_ai.provider.name, when the agent talks to one provider
}

// Agent runs an [agent.Agent] in invoke_agent spans. Give the agent a model traced by
// [Telemetry.Model] and tools traced by [Telemetry.Tools] to get the whole tree: the
// run, its model calls and its tool executions as children.
type Agent struct {
	t    *Telemetry
	a    *agent.Agent
	info AgentInfo
}

// Agent returns a traced runner of a.
func (t *Telemetry) Agent(a *agent.Agent, info AgentInfo) *Agent {
	return &Agent{t: t, a: a, info: info}
}

func (a *Agent) start(ctx context.Context, req *llm.Request) (context.Context, trace.Span) {
	name := "invoke_agent"
	if a.info.Name != "" {
		name += " " + a.info.Name
	}
	attrs := []attribute.KeyValue{semconv.GenAIOperationNameInvokeAgent}
	if a.info.Provider != "" {
		attrs = append(attrs, semconv.GenAIProviderNameKey.String(a.info.Provider))
	}
	if a.info.Name != "" {
		attrs = append(attrs, semconv.GenAIAgentName(a.info.Name))
	}
	if a.info.ID != "" {
		attrs = append(attrs, semconv.GenAIAgentID(a.info.ID))
	}
	if a.info.Description != "" {
		attrs = append(attrs, semconv.GenAIAgentDescription(a.info.Description))
	}
	if req != nil && req.Model != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(req.Model))
	}
	if a.t.opts.CaptureContent && req != nil {
		attrs = append(attrs, inputContent(req)...)
	}
	return a.t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
}

func (a *Agent) end(span trace.Span, res *agent.Result, err error) {
	if res != nil {
		span.SetAttributes(
			semconv.GenAIUsageInputTokens(inputTokens(res.Usage)),
			semconv.GenAIUsageOutputTokens(res.Usage.OutputTokens),
		)
		if res.Response != nil {
			span.SetAttributes(semconv.GenAIResponseFinishReasons(finishReason(res.Response)))
			if res.Response.Model != "" {
				span.SetAttributes(semconv.GenAIResponseModel(res.Response.Model))
			}
			if a.t.opts.CaptureContent && err == nil {
				span.SetAttributes(outputContent(res.Response)...)
			}
		}
	}
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(ErrorType(err)))
		span.SetStatus(codes.Error, err.Error())
	}
	span.End()
}

// Run runs the agent, as [agent.Agent.Run], in an invoke_agent span.
func (a *Agent) Run(ctx context.Context, req *llm.Request) (*agent.Result, error) {
	ctx, span := a.start(ctx, req)
	res, err := a.a.Run(ctx, req)
	a.end(span, res, err)
	return res, err
}

// Stream runs the agent, as [agent.Agent.Stream], in an invoke_agent span that ends
// with the range.
func (a *Agent) Stream(ctx context.Context, req *llm.Request) iter.Seq2[agent.Event, error] {
	return func(yield func(agent.Event, error) bool) {
		ctx, span := a.start(ctx, req)
		var res *agent.Result
		var err error
		defer func() { a.end(span, res, err) }()
		for ev, e := range a.a.Stream(ctx, req) {
			if e != nil {
				err = e
				var re *agent.RunError
				if errors.As(e, &re) {
					res = re.Result
				}
			}
			if d, ok := ev.(agent.Done); ok {
				res = d.Result
			}
			if !yield(ev, e) {
				if err == nil && res == nil {
					err = &llm.StreamError{Reason: "agent stream abandoned before its end"}
				}
				return
			}
		}
	}
}

// Tools returns tools traced by [Telemetry.Tool].
func (t *Telemetry) Tools(tools []agent.Tool) []agent.Tool {
	out := make([]agent.Tool, len(tools))
	for i, tl := range tools {
		out[i] = t.Tool(tl)
	}
	return out
}

// Tool returns tl whose runs are execute_tool spans, named "execute_tool <name>", with
// the tool's name, description and type, the call's id (from [agent.CallFromContext]),
// and error.type when the run fails (the model still receives the error as an error
// result). Arguments and results are recorded only with [Options.CaptureContent].
func (t *Telemetry) Tool(tl agent.Tool) agent.Tool {
	run := tl.Run
	decl := tl.Declaration
	if run == nil {
		return tl
	}
	tl.Run = func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
		attrs := []attribute.KeyValue{
			semconv.GenAIOperationNameExecuteTool,
			semconv.GenAIToolName(decl.Name),
			semconv.GenAIToolTypeKey.String("function"),
		}
		if decl.Description != "" {
			attrs = append(attrs, semconv.GenAIToolDescription(decl.Description))
		}
		if c, ok := agent.CallFromContext(ctx); ok && c.ID != "" {
			attrs = append(attrs, semconv.GenAIToolCallID(c.ID))
		}
		if t.opts.CaptureContent {
			attrs = append(attrs, semconv.GenAIToolCallArgumentsKey.String(string(validJSON(input))))
		}
		ctx, span := t.tracer.Start(ctx, "execute_tool "+decl.Name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
		defer func() {
			if p := recover(); p != nil {
				span.SetAttributes(semconv.ErrorTypeKey.String("panic"))
				span.SetStatus(codes.Error, "tool panicked")
				span.End()
				panic(p) // the agent turns it into an error result
			}
			span.End()
		}()
		parts, err := run(ctx, input)
		if err != nil {
			span.SetAttributes(semconv.ErrorTypeKey.String(toolErrorType(err)))
			span.SetStatus(codes.Error, err.Error())
			return parts, err
		}
		if t.opts.CaptureContent {
			span.SetAttributes(semconv.GenAIToolCallResultKey.String(mustJSON(convertParts(parts))))
		}
		return parts, nil
	}
	return tl
}

func toolErrorType(err error) string {
	if errors.Is(err, agent.ErrInvalidInput) {
		return "invalid_input"
	}
	return ErrorType(err)
}
