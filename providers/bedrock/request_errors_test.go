package bedrock

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

type requestErrorCase struct {
	name   string
	reason string
	req    *llm.Request
	msg    int    // want InvalidRequestError.Message
	part   int    // want InvalidRequestError.Part
	field  string // want InvalidRequestError.Field
	want   string // a substring of the reason
}

func requestErrorCases() []requestErrorCase {
	many := []llm.Message{rqSys(rqText("S"), llm.CachePoint{})}
	for i := range 4 {
		if i%2 == 0 {
			many = append(many, rqUser(rqText("u"), llm.CachePoint{}))
		} else {
			many = append(many, rqAsst(rqText("a"), llm.CachePoint{}))
		}
	}
	return []requestErrorCase{
		{name: "REQ-SYSTEM/image_in_system_message", reason: "system content is text and cache points",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S"), llm.Image{Format: "png", Data: []byte{1}}), rqUser(rqText("Hi"))}},
			msg: 0, part: 1, want: "system message holds text and cache points only"},
		{name: "REQ-ROLES/first_message_assistant", reason: "a conversation must start with a user turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S")), rqAsst(rqText("Hi")), rqUser(rqText("Hi"))}},
			msg: 1, part: -1, want: "starts with an assistant message"},
		{name: "REQ-ROLES/no_user_message", reason: "only a system message",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S"))}},
			msg: -1, part: -1, field: "messages", want: "no user message"},
		{name: "REQ-ROLES/unknown_role", reason: "roles are system, user, assistant, tool",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{{Role: "critic", Parts: []llm.Part{rqText("x")}}}},
			msg: 0, part: -1, want: `unknown role "critic"`},
		{name: "REQ-TOOL-PAIRS/missing_tool_result", reason: "a call without its result in the next user turn",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`), rqCall("b", "get_weather", `{}`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 1, want: `tool call "b" has no result`},
		{name: "REQ-TOOL-PAIRS/extra_tool_result", reason: "a result answering no call of the previous turn",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqTool(rqResult("a", "ok"), rqResult("zzz", "??"))}},
			msg: 2, part: 1, want: `tool result for call "zzz" answers no tool call`},
		{name: "REQ-TOOL-PAIRS/duplicate_tool_result", reason: "two results for one call",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqTool(rqResult("a", "ok")), rqTool(rqResult("a", "again"))}},
			msg: 3, part: 0, want: `second tool result for call "a"`},
		{name: "REQ-TOOL-PAIRS/result_not_in_next_turn", reason: "a result two turns after its call",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqUser(rqText("wait")), rqAsst(rqText("ok")), rqTool(rqResult("a", "late"))}},
			msg: 1, part: 0, want: `tool call "a" has no result`},
		{name: "REQ-TOOL-PAIRS/ends_with_unanswered_call", reason: "the last turn calls a tool",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqText("Calling"), rqCall("a", "get_weather", `{}`))}},
			msg: 1, part: 1, want: "ends with unanswered tool call"},
		{name: "REQ-TOOL-PAIRS/tool_call_in_user_message", reason: "calls belong to the assistant",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqCall("a", "x", `{}`))}},
			msg: 0, part: 0, want: "tool call belongs in an assistant message"},
		{name: "REQ-BLANK/empty_message", reason: "a user message with no parts (an empty assistant message is left out)",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst(rqText("Yes?")), rqUser()}},
			msg: 2, part: -1, want: "no parts"},
		{name: "REQ-BLANK/message_left_empty", reason: "a message of blank text only",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText(" \t"))}},
			msg: 0, part: -1, want: "no content left"},
		{name: "REQ-TOOL-CONFIG/tools_on_model_without_tools", reason: "Titan has no tool use",
			req: &llm.Request{Model: rqTitan, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools", want: "does not support tools"},
		{name: "REQ-TOOL-INPUT/tool_input_not_object", reason: "an array input cannot be sent",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `[1,2]`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 0, want: "must be a JSON object, got an array"},
		{name: "REQ-TOOL-INPUT/tool_input_invalid_json", reason: "broken JSON",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `{"a":`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 0, want: "not valid JSON"},
		{name: "REQ-TOOL-IDS/declared_tool_name_invalid", reason: "names are [a-zA-Z0-9_-]{1,64}",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: strings.Repeat("t", 65)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].name", want: "Bedrock takes 1 to 64"},
		{name: "REQ-TOOL-IDS/duplicate_tool_call_id", reason: "two calls with one id are two calls (the second renamed): each needs its result",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `{}`), rqCall("a", "x", `{}`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 1, want: `tool call "a" has no result`},
		{name: "REQ-TOOL-IDS/tool_call_without_id", reason: "a call without an id still needs its result",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("", "x", `{}`))}},
			msg: 1, part: 0, want: "ends with unanswered tool call"},
		{name: "REQ-TOOL-IDS/tool_result_without_id", reason: "a result without a call id answers a call without an id, and there is none",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `{}`)), rqTool(rqResult("", "ok"))}},
			msg: 2, part: 0, want: "tool result has no call id"},
		{name: "REQ-SCHEMA/schema_root_not_object", reason: "a tool schema's root is an object",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"string"}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "must have type object"},
		{name: "REQ-SCHEMA/schema_remote_ref", reason: "only local definitions can be inlined",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}}}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema at /properties/a", want: "cannot be inlined"},
		{name: "REQ-SCHEMA/schema_recursive_ref", reason: "a recursive schema cannot be inlined",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"n":{"$ref":"#/$defs/node"}},"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}}}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema at /properties/n/properties/next", want: "recursive"},
		{name: "REQ-SCHEMA/strict_additional_properties_true", reason: "strict schemas need additionalProperties false",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", Strict: true, InputSchema: json.RawMessage(`{"type":"object","additionalProperties":true}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "additionalProperties false"},
		{name: "REQ-SCHEMA/schema_not_json", reason: "a schema must parse",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "not valid JSON"},
		{name: "REQ-MEDIA/document_bad_format", reason: "formats are pdf csv doc docx xls xlsx html txt md",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "exe", Data: []byte{1}}, rqText("Read"))}},
			msg: 0, part: 0, want: `document format "exe"`},
		{name: "REQ-MEDIA/document_http_uri", reason: "only s3:// URIs",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "pdf", URI: "https://example.com/a.pdf"}, rqText("Read"))}},
			msg: 0, part: 0, want: "s3://bucket/key URIs only"},
		{name: "REQ-MEDIA/document_without_text", reason: "a document needs a text block in its turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "pdf", Data: []byte{1}})}},
			msg: 0, part: 0, want: "a document needs a text part"},
		{name: "REQ-MEDIA/image_bad_format", reason: "formats are png jpeg gif webp",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Image{Format: "bmp", Data: []byte{1}})}},
			msg: 0, part: 0, want: `image format "bmp"`},
		{name: "REQ-MEDIA/image_unknown_bytes", reason: "no format and bytes that are no known image",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Image{Data: []byte("hello")})}},
			msg: 0, part: 0, want: "cannot tell the image format"},
		{name: "REQ-MEDIA/image_in_assistant_message", reason: "images go in user turns",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst(llm.Image{Format: "png", Data: []byte{1}})}},
			msg: 1, part: 0, want: "assistant message cannot hold an image"},
		{name: "REQ-MEDIA/images_on_model_without_vision", reason: "Mistral Large takes no images",
			req: &llm.Request{Model: rqMistral, Messages: []llm.Message{rqUser(rqText("Look"), llm.Image{Format: "png", Data: []byte{1}})}},
			msg: 0, part: 1, want: "does not accept images"},
		{name: "REQ-CACHE/cache_point_alone_in_turn", reason: "nothing to cache in an otherwise empty turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst(llm.CachePoint{}), rqUser(rqText("Hi"))}},
			msg: 1, part: 0, want: "cache point alone in its turn"},
		{name: "REQ-CACHE/too_many_cache_points", reason: "at most four per request",
			req: &llm.Request{Model: rqClaude45, Messages: append(many, rqUser(rqText("q")))},
			msg: 4, part: 1, want: "more than 4 cache points"},
		{name: "REQ-REASONING/budget_below_minimum", reason: "thinking needs at least 1024 tokens",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 500}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning.budgetTokens", want: "below Bedrock's minimum thinking budget of 1024"},
		{name: "REQ-REASONING/max_tokens_not_above_budget", reason: "maxTokens must exceed the budget",
			req: &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "maxTokens", want: "above the thinking budget (2048)"},
		{name: "REQ-REASONING/temperature_with_thinking", reason: "thinking allows no temperature change",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, Temperature: llm.Ptr(0.2), Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "temperature", want: "thinking does not allow changing the temperature"},
		{name: "REQ-REASONING/top_p_with_thinking", reason: "thinking allows topP in [0.95, 1] only",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, TopP: llm.Ptr(0.5), Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "topP", want: "between 0.95 and 1"},
		{name: "REQ-REASONING/thinking_with_forced_tool_choice", reason: "thinking may not be enabled when tool_choice forces tool use",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: "thinking cannot be combined with a forced tool choice"},
		{name: "REQ-REASONING/thinking_with_output_tool", reason: "structured output through a forced tool conflicts with thinking",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Output: &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "output", want: "does not allow with thinking on"},
		{name: "REQ-REASONING/nova_high_effort_with_sampling", reason: "high effort on Nova 2 needs temperature, topP and maxTokens unset",
			req: &llm.Request{Model: rqNova2, MaxTokens: 1000, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningHigh}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning.effort", want: "needs temperature, topP and maxTokens unset"},
		{name: "REQ-REASONING/empty_reasoning_config", reason: "a reasoning config must say budget or effort",
			req: &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning", want: "set BudgetTokens or Effort"},
		{name: "REQ-TOOL-CHOICE/named_choice_undeclared", reason: "the named tool must be declared",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.UseTool("nope"), Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: `names tool "nope"`},
		{name: "REQ-TOOL-CHOICE/required_without_tools", reason: "a forced choice needs tools",
			req: &llm.Request{Model: rqClaude45, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: "declares no tools"},
		{name: "output_native_unsupported", reason: "native mode on a model without it",
			req: &llm.Request{Model: rqNova, Output: &llm.Output{Mode: llm.OutputNative, Schema: json.RawMessage(`{"type":"object"}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "output.mode", want: "does not support it"},
		{name: "output_name_conflicts_with_tool", reason: "the synthetic tool cannot shadow a user tool",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{{Name: "structured_output"}}, Output: &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "output.name", want: "also the name of a declared tool"},
		{name: "output_tool_with_forced_choice", reason: "two forced choices conflict",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.UseTool("get_weather"), Output: &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: "cannot be combined with tool choice"},
		{name: "extra_twice", reason: "one bedrock.Extra per request: two would have to be merged",
			req: &llm.Request{Model: rqNova, Extra: llm.Extras{&Extra{}, Extra{}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra", want: "more than one bedrock.Extra"},
		{name: "extra_fields_not_object", reason: "additional fields are a JSON object",
			req: &llm.Request{Model: rqNova, Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`[1]`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra.additionalModelRequestFields", want: "must be a JSON object, got an array"},
		{name: "extra_fields_conflict_with_thinking", reason: "a key set by the caller and by llmkit",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`{"thinking":{"type":"disabled"}}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra.additionalModelRequestFields.thinking", want: "set both here and by llmkit"},
		{name: "extra_bad_guardrail_trace", reason: "trace is enabled, disabled or enabled_full",
			req: &llm.Request{Model: rqNova, Extra: &Extra{Guardrail: &GuardrailConfig{Identifier: "g", Version: "1", Trace: "on"}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra.guardrail.trace", want: `"on" is not one of`},
		{name: "extra_bad_service_tier", reason: "tiers are priority, default, flex, reserved",
			req: &llm.Request{Model: rqNova, Extra: &Extra{ServiceTier: "gold"}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra.serviceTier", want: `"gold"`},
		{name: "inference_temperature_out_of_range", reason: "temperature is in [0, 1]",
			req: &llm.Request{Model: rqNova, Temperature: llm.Ptr(1.5), Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "temperature", want: "outside [0, 1]"},
		{name: "inference_negative_max_tokens", reason: "maxTokens is not negative",
			req: &llm.Request{Model: rqNova, MaxTokens: -1, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "maxTokens", want: "negative"},
		{name: "inference_empty_stop_sequence", reason: "an empty stop sequence",
			req: &llm.Request{Model: rqNova, StopSequences: []string{"a", ""}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "stopSequences[1]", want: "empty stop sequence"},
		{name: "inference_temperature_and_top_p_on_sonnet45", reason: "Sonnet 4.5 takes one of temperature and topP",
			req: &llm.Request{Model: rqClaude45, Temperature: llm.Ptr(0.5), TopP: llm.Ptr(0.9), Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "topP", want: "temperature or topP, not both"},
		{name: "nil_part", reason: "a nil part is never dropped silently",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"), nil)}},
			msg: 0, part: 1, want: "nil part"},
		{name: "no_model", reason: "the model id is required",
			req: &llm.Request{Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "model", want: "no model id"},
	}
}

func TestFormatRequestErrors(t *testing.T) {
	for _, tc := range requestErrorCases() {
		t.Run(tc.name, func(t *testing.T) {
			p, err := formatRequest(tc.req, capabilitiesFor(tc.req.Model, nil))
			if err == nil {
				t.Fatalf("FormatRequest(%s) = %+v, want an error (%s)", tc.name, p.input, tc.reason)
			}
			if !errors.Is(err, llm.ErrInvalidRequest) {
				t.Errorf("FormatRequest(%s) = %v, want errors.Is(err, llm.ErrInvalidRequest)", tc.name, err)
			}
			var ire *llm.InvalidRequestError
			if !errors.As(err, &ire) {
				t.Fatalf("FormatRequest(%s) = %T, want *llm.InvalidRequestError", tc.name, err)
			}
			if ire.Provider != "bedrock" || ire.Op != "converse" {
				t.Errorf("FormatRequest(%s) provider, op = %q, %q, want bedrock, converse", tc.name, ire.Provider, ire.Op)
			}
			if ire.Message != tc.msg || ire.Part != tc.part || ire.Field != tc.field {
				t.Errorf("FormatRequest(%s) at message %d part %d field %q, want message %d part %d field %q (%v)", tc.name, ire.Message, ire.Part, ire.Field, tc.msg, tc.part, tc.field, err)
			}
			if !strings.Contains(ire.Reason, tc.want) {
				t.Errorf("FormatRequest(%s) reason = %q, want it to contain %q", tc.name, ire.Reason, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "bedrock: converse: invalid request: ") {
				t.Errorf("FormatRequest(%s) error = %q, want the bedrock: converse: prefix", tc.name, err)
			}
		})
	}
}
