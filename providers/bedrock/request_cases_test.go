package bedrock

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/llmkit/llmkit/llm"
)

type requestCase struct {
	name       string // "<rule ID in RULES.md>/<what the case checks>"; also the golden file's path
	reason     string
	req        *llm.Request
	caps       *llm.Capabilities // nil: the built-in table for req.Model
	warnings   []string          // "code substring", one per expected warning, in order
	objectTool string
	native     bool
}

func requestCases() []requestCase {
	return []requestCase{
		{
			name:   "REQ-SYSTEM/system_text_and_cache_point_to_system",
			reason: "system parts go to the system field, a cache point after system text included",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqSys(rqText("You are terse."), llm.CachePoint{}),
				rqUser(rqText("Hello")),
			}},
		},
		{
			name:   "REQ-SYSTEM/late_system_message_merged",
			reason: "a system message after the conversation started joins the system prompt, with a warning",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqSys(rqText("Be terse.")),
				rqUser(rqText("Hi")),
				rqAsst(rqText("Hello.")),
				rqSys(rqText("Answer in French from now on.")),
				rqUser(rqText("How are you?")),
			}},
			warnings: []string{"repaired message 3: a system message after the conversation started was merged"},
		},
		{
			name:   "REQ-SYSTEM/system_prompt_on_model_without_one",
			reason: "Mistral 7B takes no system prompt: its text opens the first user turn, with a warning",
			req: &llm.Request{Model: rqMistral7B, Messages: []llm.Message{
				rqSys(rqText("Be terse.")),
				rqUser(rqText("Hi")),
			}},
			warnings: []string{"repaired takes no system prompt"},
		},
		{
			name:   "REQ-ROLES/consecutive_user_messages_merged",
			reason: "two user messages in a row become one user turn",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("First.")),
				rqUser(rqText("Second.")),
			}},
		},
		{
			name:   "REQ-ROLES/consecutive_assistant_messages_merged",
			reason: "two assistant messages in a row become one assistant turn",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("Tell me two things.")),
				rqAsst(rqText("One.")),
				rqAsst(rqText("Two.")),
				rqUser(rqText("Thanks.")),
			}},
		},
		{
			name:   "REQ-TOOL-PAIRS/tool_results_merged_into_one_user_turn",
			reason: "results of parallel calls sent as separate tool messages, then user text, form one user turn with the results first",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, Messages: []llm.Message{
				rqUser(rqText("Weather and time in Paris?")),
				rqAsst(rqCall("call_1", "get_weather", `{"city":"Paris"}`), rqCall("call_2", "get_time", `{"zone":"Europe/Paris"}`)),
				rqUser(rqText("Also, be brief.")),
				rqTool(rqResult("call_2", "14:05")),
				rqTool(rqResult("call_1", "18C, sunny")),
			}},
		},
		{
			name:   "REQ-TOOL-RESULT-TURN/llama_text_moved_into_tool_result",
			reason: "Llama rejects text beside tool results: the text moves into the last result, with a warning",
			req: &llm.Request{Model: rqLlama, Tools: []llm.Tool{rqWeatherTool}, Messages: append(rqToolRound(),
				rqUser(rqText("Answer in one word."))),
			},
			warnings: []string{"repaired message 3 part 0: content beside tool results moved into the result"},
		},
		{
			name:   "REQ-TOOL-RESULT-TURN/claude_keeps_text_beside_tool_results",
			reason: "Claude accepts text beside tool results: it stays a text block after them",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: append(rqToolRound(),
				rqUser(rqText("Answer in one word."))),
			},
		},
		{
			name:   "REQ-BLANK/whitespace_text_dropped",
			reason: "blank text parts are dropped, each with a warning naming it",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("  \n"), rqText("Question?"), rqText("")),
			}},
			warnings: []string{"dropped message 0 part 0: whitespace-only text dropped", "dropped message 0 part 2: whitespace-only text dropped"},
		},
		{
			name:   "REQ-BLANK/prefill_trailing_whitespace_trimmed",
			reason: "a final assistant prefill must not end in whitespace, a cache point after it notwithstanding",
			req: &llm.Request{Model: rqClaude37, Messages: []llm.Message{
				rqUser(rqText("Give me JSON.")),
				rqAsst(rqText("{\n  "), llm.CachePoint{}),
			}},
		},
		{
			name:   "REQ-TOOL-CONFIG/tool_history_without_tools_gets_stub_declarations",
			reason: "history holds tool blocks but the request declares no tools: toolConfig declares the used names, with a warning",
			req:    &llm.Request{Model: rqClaude45, Messages: append(rqToolRound(), rqAsst(rqText("It is sunny.")), rqUser(rqText("Thanks!")))},
			warnings: []string{
				"repaired tools: get_weather called in the history but not declared",
			},
		},
		{
			name:   "REQ-TOOL-CONFIG/tool_choice_none_sends_no_tools",
			reason: "tool choice none with no tool history: no toolConfig at all",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceNone},
				Messages: []llm.Message{rqUser(rqText("Hi"))}},
		},
		{
			name:   "REQ-TOOL-CONFIG/tool_choice_none_with_tool_history",
			reason: "tool choice none with tool history: tools stay declared (toolConfig is required), no choice, a warning",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceNone},
				Messages: rqToolRound()},
			warnings: []string{"unsupported tool choice none cannot be sent"},
		},
		{
			name:   "REQ-TOOL-INPUT/tool_input_object_kept_exactly",
			reason: "empty input becomes {}; an object keeps its numbers digit for digit",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_time", ""), rqCall("b", "get_weather", `{"city":"Paris","n":12345678901234567890,"x":1.50,"e":1e400,"nested":{"list":[0,-0.0,true,null,""]}}`)),
				rqTool(rqResult("a", "noon"), rqResult("b", "sunny")),
			}},
		},
		{
			name:   "REQ-TOOL-IDS/tool_use_ids_sanitised_consistently",
			reason: "an id outside [a-zA-Z0-9_.:-]{1,64} is mapped the same way on the call and its result",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("call/1 é", "get_weather", `{"city":"Paris"}`), rqCall(strings.Repeat("x", 70), "get_weather", `{"city":"Rome"}`)),
				rqTool(rqResult("call/1 é", "sunny"), rqResult(strings.Repeat("x", 70), "rainy")),
			}},
		},
		{
			name:   "REQ-TOOL-ERROR/error_result_status_on_claude",
			reason: "Claude takes status error; an empty error result gets a text",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`), rqCall("b", "get_weather", `{"city":"Atlantis"}`)),
				rqTool(llm.ToolResult{CallID: "a", IsError: true}, llm.ToolResult{CallID: "b", IsError: true, Content: []llm.Part{rqText("unknown city")}}),
			}},
		},
		{
			name:   "REQ-TOOL-ERROR/error_result_said_in_text_on_mistral",
			reason: "Mistral takes no status: the error is said in the text; an empty success result gets a text",
			req: &llm.Request{Model: rqMistral, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Atlantis"}`), rqCall("b", "get_weather", `{"city":"Paris"}`)),
				rqTool(llm.ToolResult{CallID: "a", IsError: true, Content: []llm.Part{rqText("unknown city")}}, llm.ToolResult{CallID: "b"}),
			}},
			warnings: []string{`repaired message 2 part 1: tool result for call "b" is empty`},
		},
		{
			name:   "REQ-TOOL-ERROR/json_tool_result_on_nova",
			reason: "a text result holding a JSON object is sent as a json block where the model takes one",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`)),
				rqTool(rqResult("a", `{"temp": 18.50, "sky": "clear"}`)),
			}},
		},
		{
			name:   "REQ-SCHEMA/tool_schema_normalised",
			reason: "root type added, properties null made {}, $schema/$id dropped, $ref into $defs inlined (siblings kept)",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "lookup", InputSchema: json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","properties":{"who":{"$ref":"#/$defs/person","description":"the person"},"tags":{"type":"array","items":{"$ref":"#/definitions/tag"}}},"$defs":{"person":{"type":"object","properties":null}},"definitions":{"tag":{"type":"string"}}}`)},
				{Name: "noop"},
			}},
		},
		{
			name:   "REQ-SCHEMA/strict_tool_schema",
			reason: "a strict tool gets strict true and additionalProperties false everywhere; unsupported keywords dropped with a warning",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "tag", Strict: true, InputSchema: json.RawMessage(`{"type":"object","properties":{"tags":{"type":"array","maxItems":3,"items":{"type":"string","maxLength":10}},"meta":{"type":"object","properties":{"a":{"type":"integer","minimum":0}}}}}`)},
			}},
			warnings: []string{
				`dropped keyword maxItems at "#/properties/tags" dropped`,
				`dropped keyword maxLength at "#/properties/tags/items" dropped`,
				`dropped keyword minimum at "#/properties/meta/properties/a" dropped`,
			},
		},
		{
			name:   "REQ-SCHEMA/strict_dropped_on_model_without_it",
			reason: "Llama has no strict tool use: strict is dropped with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "tag", Strict: true, InputSchema: json.RawMessage(`{"type":"object","properties":{"t":{"type":"string"}}}`)},
			}},
			warnings: []string{"dropped tools[0].strict: strict dropped"},
		},
		{
			name:   "REQ-MEDIA/documents_named_and_checked",
			reason: "names sanitised (extension stripped, characters replaced, fallback, duplicates numbered), format inferred, s3 URIs",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(
				llm.Document{Name: "Q3 report_final.v2.PDF", Data: []byte("%PDF-1.4")},
				llm.Document{Name: "???", Format: "CSV", Data: []byte("a,b\n1,2")},
				llm.Document{Name: "Q3 report_final.v2.pdf", URI: "s3://bucket/reports/q3.pdf"},
				llm.Document{Format: "md", Data: []byte("# Notes")},
				rqText("Summarise these."),
			)}},
			warnings: []string{
				`repaired message 0 part 0: document name "Q3 report_final.v2.PDF" sent as "Q3 report-final-v2"`,
				`repaired message 0 part 1: document name "???" sent as "document-2"`,
				`repaired message 0 part 2: document name "Q3 report_final.v2.pdf" sent as "Q3 report-final-v2 (2)"`,
			},
		},
		{
			name:   "REQ-MEDIA/images_formats_and_sources",
			reason: "jpg is jpeg, a format is sniffed from the bytes when unset, s3 URIs pass",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(
				llm.Image{Format: "jpg", Data: []byte{0xff, 0xd8, 0xff, 0xe0}},
				llm.Image{Data: []byte("\x89PNG\r\n\x1a\n0000")},
				llm.Image{Format: "webp", URI: "s3://bucket/cat.webp"},
				rqText("What is in these?"),
			)}},
		},
		{
			name:   "REQ-CACHE/cache_points_with_ttl",
			reason: "cache points in system, in a turn and after tools; 5m and 1h TTLs on a model that takes them",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqSys(rqText("Long instructions."), llm.CachePoint{TTL: time.Hour}),
				rqUser(rqText("Long document."), llm.CachePoint{TTL: 5 * time.Minute}),
				rqAsst(rqText("Read it.")),
				rqUser(rqText("Question?"), llm.CachePoint{}),
			}},
		},
		{
			name:   "REQ-CACHE/cache_ttl_dropped_where_unsupported",
			reason: "Claude 3.7 caches with the default TTL only: 1h is dropped with a warning, 5m silently (it is the default)",
			req: &llm.Request{Model: rqClaude37, Messages: []llm.Message{
				rqUser(rqText("Doc."), llm.CachePoint{TTL: time.Hour}),
				rqAsst(rqText("OK.")),
				rqUser(rqText("Q?"), llm.CachePoint{TTL: 5 * time.Minute}),
			}},
			warnings: []string{"dropped message 0 part 1: cache TTL 1h dropped"},
		},
		{
			name:   "REQ-CACHE/cache_points_dropped_without_caching",
			reason: "Llama has no prompt caching: cache points are dropped with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{
				rqUser(rqText("Doc."), llm.CachePoint{}),
			}},
			warnings: []string{"dropped message 0 part 1: cache point dropped"},
		},
		{
			name:   "REQ-CACHE/cache_points_never_lead_or_double",
			reason: "a cache point leading a turn moves to the end of the turn before; a leading one with nothing before is dropped, a doubled one too",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqUser(llm.CachePoint{}, rqText("Doc.")),
				rqAsst(rqText("OK.")),
				rqUser(llm.CachePoint{}, rqText("Q?"), llm.CachePoint{}, llm.CachePoint{}),
			}},
			warnings: []string{
				"dropped message 0 part 0: cache point at the start of the conversation dropped",
				"dropped message 2 part 3: cache point right after another cache point dropped",
			},
		},
		{
			name:   "REQ-REASONING/reasoning_replayed_with_signature_only",
			reason: "signed and redacted reasoning replayed first in the assistant turn; unsigned reasoning and reasoning in a user turn dropped with warnings",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4096, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Weather?"), llm.Reasoning{Text: "user thoughts"}),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`), llm.Reasoning{Text: "I should call the tool.", Signature: "sig-1"}, llm.Reasoning{Redacted: []byte{1, 2, 3}}, llm.Reasoning{Text: "unsigned"}),
				rqTool(rqResult("a", "sunny")),
			}},
			warnings: []string{
				"dropped message 0 part 1: reasoning in a user message dropped",
				"dropped message 1 part 3: reasoning without a signature or redacted content dropped",
			},
		},
		{
			name:   "REQ-REASONING/thinking_budget_with_extra_fields",
			reason: "a thinking budget becomes additionalModelRequestFields.thinking, merged with the caller's fields",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, TopP: llm.Ptr(0.95),
				Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000},
				Extra:     &Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k": 40}`)},
				Messages:  []llm.Message{rqUser(rqText("Think."))}},
		},
		{
			name:     "REQ-REASONING/nova2_effort",
			reason:   "Nova 2 Lite reasons with reasoningConfig.maxReasoningEffort",
			req:      &llm.Request{Model: rqNova2, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningLow}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: nil,
		},
		{
			name:     "REQ-REASONING/gpt_oss_budget_becomes_medium_effort",
			reason:   "gpt-oss takes an effort: a budget alone is not honoured, medium is sent, with a warning",
			req:      &llm.Request{Model: rqGPTOSS, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported reasoning budget 2000 ignored"},
		},
		{
			name:     "REQ-REASONING/reasoning_unsupported_warns",
			reason:   "Llama does not reason: the setting is not sent and a warning says so",
			req:      &llm.Request{Model: rqLlama, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported reasoning not enabled: model " + rqLlama + " does not support it"},
		},
		{
			name:     "REQ-REASONING/claude_effort_not_sent",
			reason:   "Claude on Converse takes a thinking budget, not an effort: a warning, no thinking",
			req:      &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningHigh}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported takes a thinking budget (BudgetTokens), not an effort"},
		},
		{
			name:     "REQ-REASONING/deepseek_r1_always_reasons",
			reason:   "DeepSeek-R1 always reasons and takes no setting: a warning",
			req:      &llm.Request{Model: rqR1, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningLow}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported always reasons"},
		},
		{
			name:   "REQ-TOOL-CHOICE/named_choice_on_claude",
			reason: "Claude takes a named tool choice",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, ToolChoice: llm.UseTool("get_time"),
				Messages: []llm.Message{rqUser(rqText("Time?"))}},
		},
		{
			name:   "REQ-TOOL-CHOICE/named_choice_on_mistral_sent_as_any",
			reason: "Mistral has no named choice: any is sent, with a warning since another tool could be called",
			req: &llm.Request{Model: rqMistral, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, ToolChoice: llm.UseTool("get_time"),
				Messages: []llm.Message{rqUser(rqText("Time?"))}},
			warnings: []string{"unsupported sent as any"},
		},
		{
			name:   "REQ-TOOL-CHOICE/required_choice_is_any",
			reason: "required maps to any",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired},
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
		},
		{
			name:   "REQ-TOOL-CHOICE/required_choice_on_llama_is_auto",
			reason: "Llama takes no forced choice: no toolChoice, with a warning",
			req: &llm.Request{Model: rqLlama, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired},
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
			warnings: []string{"unsupported tool choice required sent as auto"},
		},
		{
			name:   "REQ-OUTPUT/output_native_on_claude45",
			reason: "structured output goes to outputConfig.textFormat as a schema string, property order kept, additionalProperties false",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Name: "person", Description: "A person.", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}`)}},
			native: true,
		},
		{
			name:   "REQ-OUTPUT/output_tool_mode_forced_by_name_on_nova",
			reason: "without native output, a synthetic tool with a named choice",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "structured_output",
		},
		{
			name:   "REQ-OUTPUT/output_tool_on_mistral_forced_with_any",
			reason: "Mistral has no named choice: any forces the only tool, no warning",
			req: &llm.Request{Model: rqMistral, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Name: "extract", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "extract",
		},
		{
			name:   "REQ-OUTPUT/output_tool_on_llama_cannot_be_forced",
			reason: "Llama takes no forced choice: the synthetic tool is offered with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "structured_output",
			warnings:   []string{"unsupported structured output: model " + rqLlama + " cannot be made to call a tool"},
		},
		{
			name:   "REQ-SAMPLING/inference_config_and_extra",
			reason: "temperature 0 is sent, stop sequences, max tokens; guardrail, latency, metadata, tier, response paths from Extra",
			req: &llm.Request{Model: rqNova, MaxTokens: 512, Temperature: llm.Ptr(0.0), TopP: llm.Ptr(0.9), StopSequences: []string{"END"},
				Messages: []llm.Message{rqUser(rqText("Hi"))},
				Extra: Extra{
					AdditionalModelResponseFieldPaths: []string{"/stop_sequence"},
					Guardrail:                         &GuardrailConfig{Identifier: "gr-1", Version: "2", Trace: "enabled", StreamProcessingMode: "async"},
					PerformanceLatency:                "optimized",
					RequestMetadata:                   map[string]string{"team": "search"},
					ServiceTier:                       "flex",
				}},
		},
		{
			name:   "REQ-TOOL-ERROR/tool_result_with_image_and_document",
			reason: "tool results carry images and documents; a tool message may hold text, which follows the results",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Show me.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`)),
				rqTool(rqText("Here is the tool output."), llm.ToolResult{CallID: "a", Content: []llm.Part{
					rqText("map and report"),
					llm.Image{Format: "png", Data: []byte("\x89PNG")},
					llm.Document{Name: "report.txt", Data: []byte("sunny")},
				}}),
			}},
		},
		{
			name:   "REQ-REASONING/unknown_model_reasoning_assumes_anthropic_form",
			reason: "an application profile the caller says reasons gets Anthropic's thinking form, with a warning",
			req: &llm.Request{Model: rqAppARN, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048},
				Messages: []llm.Message{rqUser(rqText("Think."))}},
			caps:     &llm.Capabilities{Tools: true, Reasoning: true, SystemPrompt: true},
			warnings: []string{"unsupported is not in llmkit's table: reasoning is asked for in Anthropic's form"},
		},
		{
			name:   "REQ-MODEL-ID/capabilities_override_for_application_profile",
			reason: "an application inference profile gets defaults; caller capabilities decide instead",
			req: &llm.Request{Model: rqAppARN, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.UseTool("get_weather"),
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
			caps: &llm.Capabilities{Tools: true, ToolChoiceTool: true, SystemPrompt: true, StopSequences: true},
		},
	}
}
