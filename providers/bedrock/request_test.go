package bedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

// Model ids used by the request tests, one per family the rules tell apart.
const (
	rqClaude45  = "anthropic.claude-sonnet-4-5-20250929-v1:0"
	rqOpus45    = "global.anthropic.claude-opus-4-5-20251101-v1:0"
	rqClaude37  = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
	rqNova      = "us.amazon.nova-pro-v1:0"
	rqNova2     = "us.amazon.nova-2-lite-v1:0"
	rqLlama     = "us.meta.llama3-3-70b-instruct-v1:0"
	rqMistral   = "mistral.mistral-large-2407-v1:0"
	rqMistral7B = "mistral.mistral-7b-instruct-v0:2"
	rqGPTOSS    = "openai.gpt-oss-120b-1:0"
	rqTitan     = "amazon.titan-text-express-v1"
	rqR1        = "us.deepseek.r1-v1:0"
	rqAppARN    = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abcdef123456"
)

func rqText(s string) llm.Text { return llm.Text{Text: s} }

func rqUser(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleUser, Parts: parts} }
func rqAsst(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleAssistant, Parts: parts} }
func rqTool(parts ...llm.Part) llm.Message { return llm.Message{Role: llm.RoleTool, Parts: parts} }
func rqSys(parts ...llm.Part) llm.Message  { return llm.Message{Role: llm.RoleSystem, Parts: parts} }

func rqCall(id, name, input string) llm.ToolCall {
	return llm.ToolCall{ID: id, Name: name, Input: json.RawMessage(input)}
}

func rqResult(id, text string) llm.ToolResult {
	return llm.ToolResult{CallID: id, Content: []llm.Part{rqText(text)}}
}

var rqWeatherTool = llm.Tool{
	Name:        "get_weather",
	Description: "Current weather for a city.",
	InputSchema: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`),
}

var rqTimeTool = llm.Tool{
	Name:        "get_time",
	Description: "Current time in a time zone.",
	InputSchema: json.RawMessage(`{"type":"object","properties":{"zone":{"type":"string"}}}`),
}

// rqToolRound is a user question, an assistant turn calling get_weather, and its result.
func rqToolRound() []llm.Message {
	return []llm.Message{
		rqUser(rqText("Weather in Paris?")),
		rqAsst(rqText("Let me look."), rqCall("call_1", "get_weather", `{"city":"Paris"}`)),
		rqTool(rqResult("call_1", "18C, sunny")),
	}
}

// captureDoer is the HTTP client of a real SDK client: it keeps the request and fails it,
// so no test reaches the network and the body is exactly what the SDK would send.
type captureDoer struct {
	body []byte
	path string
}

var errCaptured = errors.New("request captured")

func (d *captureDoer) Do(r *http.Request) (*http.Response, error) {
	d.path = r.URL.EscapedPath()
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		d.body = b
	}
	return nil, errCaptured
}

func captureClient(d *captureDoer) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "SECRET", ""),
		HTTPClient:  d,
		Retryer:     aws.NopRetryer{},
	})
}

// wireConverse serialises in with the SDK's own Converse serializer (and validators) and
// returns the body and the escaped request path.
func wireConverse(t testing.TB, in *bedrockruntime.ConverseInput) ([]byte, string) {
	t.Helper()
	d := &captureDoer{}
	_, err := captureClient(d).Converse(context.Background(), in)
	if !errors.Is(err, errCaptured) {
		t.Fatalf("Converse did not reach the HTTP client: %v", err)
	}
	return d.body, d.path
}

// wireConverseStream is [wireConverse] for ConverseStream.
func wireConverseStream(t testing.TB, in *bedrockruntime.ConverseStreamInput) ([]byte, string) {
	t.Helper()
	d := &captureDoer{}
	_, err := captureClient(d).ConverseStream(context.Background(), in)
	if !errors.Is(err, errCaptured) {
		t.Fatalf("ConverseStream did not reach the HTTP client: %v", err)
	}
	return d.body, d.path
}

// decodeExact decodes JSON keeping numbers as their literals, so 1e400 and 0.10 compare
// as written.
func decodeExact(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

// checkWarnings checks that got holds one warning per entry of want, in order, each
// containing its entry.
// checkWarnings checks got against want, whose entries are a warning code, a space, and a
// substring of the warning's String form.
func checkWarnings(t *testing.T, name string, got []llm.Warning, want []string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		code, text, _ := strings.Cut(want[i], " ")
		ok = string(got[i].Code) == code && strings.Contains(got[i].String(), text)
	}
	if !ok {
		t.Errorf("FormatRequest(%s) warnings = %q, want ones matching %q", name, got, want)
	}
}

type requestCase struct {
	name       string // the BEDROCK.md rule it checks, and how
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
			name:   "rule01_system_text_and_cache_point_to_system",
			reason: "system parts go to the system field, a cache point after system text included",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqSys(rqText("You are terse."), llm.CachePoint{}),
				rqUser(rqText("Hello")),
			}},
		},
		{
			name:   "rule01_late_system_message_merged",
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
			name:   "rule01_system_prompt_on_model_without_one",
			reason: "Mistral 7B takes no system prompt: its text opens the first user turn, with a warning",
			req: &llm.Request{Model: rqMistral7B, Messages: []llm.Message{
				rqSys(rqText("Be terse.")),
				rqUser(rqText("Hi")),
			}},
			warnings: []string{"repaired takes no system prompt"},
		},
		{
			name:   "rule02_consecutive_user_messages_merged",
			reason: "two user messages in a row become one user turn",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("First.")),
				rqUser(rqText("Second.")),
			}},
		},
		{
			name:   "rule02_consecutive_assistant_messages_merged",
			reason: "two assistant messages in a row become one assistant turn",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("Tell me two things.")),
				rqAsst(rqText("One.")),
				rqAsst(rqText("Two.")),
				rqUser(rqText("Thanks.")),
			}},
		},
		{
			name:   "rule03_tool_results_merged_into_one_user_turn",
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
			name:   "rule04_llama_text_moved_into_tool_result",
			reason: "Llama rejects text beside tool results: the text moves into the last result, with a warning",
			req: &llm.Request{Model: rqLlama, Tools: []llm.Tool{rqWeatherTool}, Messages: append(rqToolRound(),
				rqUser(rqText("Answer in one word."))),
			},
			warnings: []string{"repaired message 3 part 0: content beside tool results moved into the result"},
		},
		{
			name:   "rule04_claude_keeps_text_beside_tool_results",
			reason: "Claude accepts text beside tool results: it stays a text block after them",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: append(rqToolRound(),
				rqUser(rqText("Answer in one word."))),
			},
		},
		{
			name:   "rule05_whitespace_text_dropped",
			reason: "blank text parts are dropped, each with a warning naming it",
			req: &llm.Request{Model: rqNova, Messages: []llm.Message{
				rqUser(rqText("  \n"), rqText("Question?"), rqText("")),
			}},
			warnings: []string{"dropped message 0 part 0: whitespace-only text dropped", "dropped message 0 part 2: whitespace-only text dropped"},
		},
		{
			name:   "rule05_prefill_trailing_whitespace_trimmed",
			reason: "a final assistant prefill must not end in whitespace, a cache point after it notwithstanding",
			req: &llm.Request{Model: rqClaude37, Messages: []llm.Message{
				rqUser(rqText("Give me JSON.")),
				rqAsst(rqText("{\n  "), llm.CachePoint{}),
			}},
		},
		{
			name:   "rule06_tool_history_without_tools_gets_stub_declarations",
			reason: "history holds tool blocks but the request declares no tools: toolConfig declares the used names, with a warning",
			req:    &llm.Request{Model: rqClaude45, Messages: append(rqToolRound(), rqAsst(rqText("It is sunny.")), rqUser(rqText("Thanks!")))},
			warnings: []string{
				"repaired tools: get_weather called in the history but not declared",
			},
		},
		{
			name:   "rule06_tool_choice_none_sends_no_tools",
			reason: "tool choice none with no tool history: no toolConfig at all",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceNone},
				Messages: []llm.Message{rqUser(rqText("Hi"))}},
		},
		{
			name:   "rule06_tool_choice_none_with_tool_history",
			reason: "tool choice none with tool history: tools stay declared (toolConfig is required), no choice, a warning",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceNone},
				Messages: rqToolRound()},
			warnings: []string{"unsupported tool choice none cannot be sent"},
		},
		{
			name:   "rule07_tool_input_object_kept_exactly",
			reason: "empty input becomes {}; an object keeps its numbers digit for digit",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_time", ""), rqCall("b", "get_weather", `{"city":"Paris","n":12345678901234567890,"x":1.50,"e":1e400,"nested":{"list":[0,-0.0,true,null,""]}}`)),
				rqTool(rqResult("a", "noon"), rqResult("b", "sunny")),
			}},
		},
		{
			name:   "rule08_tool_use_ids_sanitised_consistently",
			reason: "an id outside [a-zA-Z0-9_.:-]{1,64} is mapped the same way on the call and its result",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("call/1 é", "get_weather", `{"city":"Paris"}`), rqCall(strings.Repeat("x", 70), "get_weather", `{"city":"Rome"}`)),
				rqTool(rqResult("call/1 é", "sunny"), rqResult(strings.Repeat("x", 70), "rainy")),
			}},
		},
		{
			name:   "rule09_error_result_status_on_claude",
			reason: "Claude takes status error; an empty error result gets a text",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`), rqCall("b", "get_weather", `{"city":"Atlantis"}`)),
				rqTool(llm.ToolResult{CallID: "a", IsError: true}, llm.ToolResult{CallID: "b", IsError: true, Content: []llm.Part{rqText("unknown city")}}),
			}},
		},
		{
			name:   "rule09_error_result_said_in_text_on_mistral",
			reason: "Mistral takes no status: the error is said in the text; an empty success result gets a text",
			req: &llm.Request{Model: rqMistral, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Atlantis"}`), rqCall("b", "get_weather", `{"city":"Paris"}`)),
				rqTool(llm.ToolResult{CallID: "a", IsError: true, Content: []llm.Part{rqText("unknown city")}}, llm.ToolResult{CallID: "b"}),
			}},
		},
		{
			name:   "rule09_json_tool_result_on_nova",
			reason: "a text result holding a JSON object is sent as a json block where the model takes one",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go.")),
				rqAsst(rqCall("a", "get_weather", `{"city":"Paris"}`)),
				rqTool(rqResult("a", `{"temp": 18.50, "sky": "clear"}`)),
			}},
		},
		{
			name:   "rule10_tool_schema_normalised",
			reason: "root type added, properties null made {}, $schema/$id dropped, $ref into $defs inlined (siblings kept)",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "lookup", InputSchema: json.RawMessage(`{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","properties":{"who":{"$ref":"#/$defs/person","description":"the person"},"tags":{"type":"array","items":{"$ref":"#/definitions/tag"}}},"$defs":{"person":{"type":"object","properties":null}},"definitions":{"tag":{"type":"string"}}}`)},
				{Name: "noop"},
			}},
		},
		{
			name:   "rule10_strict_tool_schema",
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
			name:   "rule10_strict_dropped_on_model_without_it",
			reason: "Llama has no strict tool use: strict is dropped with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "tag", Strict: true, InputSchema: json.RawMessage(`{"type":"object","properties":{"t":{"type":"string"}}}`)},
			}},
			warnings: []string{"dropped tools[0].strict: strict dropped"},
		},
		{
			name:   "rule11_documents_named_and_checked",
			reason: "names sanitised (extension stripped, characters replaced, fallback, duplicates numbered), format inferred, s3 URIs",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(
				llm.Document{Name: "Q3 report_final.v2.PDF", Data: []byte("%PDF-1.4")},
				llm.Document{Name: "???", Format: "CSV", Data: []byte("a,b\n1,2")},
				llm.Document{Name: "Q3 report_final.v2.pdf", URI: "s3://bucket/reports/q3.pdf"},
				llm.Document{Format: "md", Data: []byte("# Notes")},
				rqText("Summarise these."),
			)}},
		},
		{
			name:   "rule11_images_formats_and_sources",
			reason: "jpg is jpeg, a format is sniffed from the bytes when unset, s3 URIs pass",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(
				llm.Image{Format: "jpg", Data: []byte{0xff, 0xd8, 0xff, 0xe0}},
				llm.Image{Data: []byte("\x89PNG\r\n\x1a\n0000")},
				llm.Image{Format: "webp", URI: "s3://bucket/cat.webp"},
				rqText("What is in these?"),
			)}},
		},
		{
			name:   "rule12_cache_points_with_ttl",
			reason: "cache points in system, in a turn and after tools; 5m and 1h TTLs on a model that takes them",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{
				rqSys(rqText("Long instructions."), llm.CachePoint{TTL: time.Hour}),
				rqUser(rqText("Long document."), llm.CachePoint{TTL: 5 * time.Minute}),
				rqAsst(rqText("Read it.")),
				rqUser(rqText("Question?"), llm.CachePoint{}),
			}},
		},
		{
			name:   "rule12_cache_ttl_dropped_where_unsupported",
			reason: "Claude 3.7 caches with the default TTL only: 1h is dropped with a warning, 5m silently (it is the default)",
			req: &llm.Request{Model: rqClaude37, Messages: []llm.Message{
				rqUser(rqText("Doc."), llm.CachePoint{TTL: time.Hour}),
				rqAsst(rqText("OK.")),
				rqUser(rqText("Q?"), llm.CachePoint{TTL: 5 * time.Minute}),
			}},
			warnings: []string{"dropped message 0 part 1: cache TTL 1h dropped"},
		},
		{
			name:   "rule12_cache_points_dropped_without_caching",
			reason: "Llama has no prompt caching: cache points are dropped with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{
				rqUser(rqText("Doc."), llm.CachePoint{}),
			}},
			warnings: []string{"dropped message 0 part 1: cache point dropped"},
		},
		{
			name:   "rule12_cache_points_never_lead_or_double",
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
			name:   "rule13_reasoning_replayed_with_signature_only",
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
			name:   "rule13_thinking_budget_with_extra_fields",
			reason: "a thinking budget becomes additionalModelRequestFields.thinking, merged with the caller's fields",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, TopP: llm.Ptr(0.95),
				Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000},
				Extra:     &Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k": 40}`)},
				Messages:  []llm.Message{rqUser(rqText("Think."))}},
		},
		{
			name:     "rule13_nova2_effort",
			reason:   "Nova 2 Lite reasons with reasoningConfig.maxReasoningEffort",
			req:      &llm.Request{Model: rqNova2, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningLow}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: nil,
		},
		{
			name:     "rule13_gpt_oss_budget_becomes_medium_effort",
			reason:   "gpt-oss takes an effort: a budget alone is not honoured, medium is sent, with a warning",
			req:      &llm.Request{Model: rqGPTOSS, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported reasoning budget 2000 ignored"},
		},
		{
			name:     "rule13_reasoning_unsupported_warns",
			reason:   "Llama does not reason: the setting is not sent and a warning says so",
			req:      &llm.Request{Model: rqLlama, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported reasoning not enabled: model " + rqLlama + " does not support it"},
		},
		{
			name:     "rule13_claude_effort_not_sent",
			reason:   "Claude on Converse takes a thinking budget, not an effort: a warning, no thinking",
			req:      &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningHigh}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported takes a thinking budget (BudgetTokens), not an effort"},
		},
		{
			name:     "rule13_deepseek_r1_always_reasons",
			reason:   "DeepSeek-R1 always reasons and takes no setting: a warning",
			req:      &llm.Request{Model: rqR1, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningLow}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			warnings: []string{"unsupported always reasons"},
		},
		{
			name:   "rule14_named_choice_on_claude",
			reason: "Claude takes a named tool choice",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, ToolChoice: llm.UseTool("get_time"),
				Messages: []llm.Message{rqUser(rqText("Time?"))}},
		},
		{
			name:   "rule14_named_choice_on_mistral_sent_as_any",
			reason: "Mistral has no named choice: any is sent, with a warning since another tool could be called",
			req: &llm.Request{Model: rqMistral, Tools: []llm.Tool{rqWeatherTool, rqTimeTool}, ToolChoice: llm.UseTool("get_time"),
				Messages: []llm.Message{rqUser(rqText("Time?"))}},
			warnings: []string{"unsupported sent as any"},
		},
		{
			name:   "rule14_required_choice_is_any",
			reason: "required maps to any",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired},
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
		},
		{
			name:   "rule14_required_choice_on_llama_is_auto",
			reason: "Llama takes no forced choice: no toolChoice, with a warning",
			req: &llm.Request{Model: rqLlama, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired},
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
			warnings: []string{"unsupported tool choice required sent as auto"},
		},
		{
			name:   "output_native_on_claude45",
			reason: "structured output goes to outputConfig.textFormat as a schema string, property order kept, additionalProperties false",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Name: "person", Description: "A person.", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"}},"required":["name","age"]}`)}},
			native: true,
		},
		{
			name:   "output_tool_mode_forced_by_name_on_nova",
			reason: "without native output, a synthetic tool with a named choice",
			req: &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "structured_output",
		},
		{
			name:   "output_tool_on_mistral_forced_with_any",
			reason: "Mistral has no named choice: any forces the only tool, no warning",
			req: &llm.Request{Model: rqMistral, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Name: "extract", Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "extract",
		},
		{
			name:   "output_tool_on_llama_cannot_be_forced",
			reason: "Llama takes no forced choice: the synthetic tool is offered with a warning",
			req: &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"name":{"type":"string"}}}`)}},
			objectTool: "structured_output",
			warnings:   []string{"unsupported structured output: model " + rqLlama + " cannot be made to call a tool"},
		},
		{
			name:   "inference_config_and_extra",
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
			name:   "rule09_tool_result_with_image_and_document",
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
			name:   "rule13_unknown_model_reasoning_assumes_anthropic_form",
			reason: "an application profile the caller says reasons gets Anthropic's thinking form, with a warning",
			req: &llm.Request{Model: rqAppARN, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048},
				Messages: []llm.Message{rqUser(rqText("Think."))}},
			caps:     &llm.Capabilities{Tools: true, Reasoning: true, SystemPrompt: true},
			warnings: []string{"unsupported is not in llmkit's table: reasoning is asked for in Anthropic's form"},
		},
		{
			name:   "capabilities_override_for_application_profile",
			reason: "an application inference profile gets defaults; caller capabilities decide instead",
			req: &llm.Request{Model: rqAppARN, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.UseTool("get_weather"),
				Messages: []llm.Message{rqUser(rqText("Weather?"))}},
			caps: &llm.Capabilities{Tools: true, ToolChoiceTool: true, SystemPrompt: true, StopSequences: true, MixedToolResults: true},
		},
	}
}

func TestFormatRequestGolden(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range requestCases() {
		if seen[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			caps := capabilitiesFor(tc.req.Model, nil)
			if tc.caps != nil {
				caps = *tc.caps
			}
			before := tc.req.Clone()
			p, err := formatRequest(tc.req, caps)
			if err != nil {
				t.Fatalf("FormatRequest(%s) = %v, want no error (%s)", tc.name, err, tc.reason)
			}
			if diff := cmp.Diff(before, tc.req); diff != "" {
				t.Errorf("FormatRequest(%s) modified the request (-before +after):\n%s", tc.name, diff)
			}
			if got := aws.ToString(p.input.ModelId); got != tc.req.Model {
				t.Errorf("FormatRequest(%s) model id = %q, want %q (sent untouched)", tc.name, got, tc.req.Model)
			}
			checkWarnings(t, tc.name, p.warnings, tc.warnings)
			if p.objectTool != tc.objectTool || p.native != tc.native {
				t.Errorf("FormatRequest(%s) objectTool, native = %q, %v, want %q, %v", tc.name, p.objectTool, p.native, tc.objectTool, tc.native)
			}
			body, _ := wireConverse(t, p.input)
			compareRequestGolden(t, tc.name, body)

			// The stream input is the same request: same body but for the guardrail's
			// stream processing mode.
			sbody, _ := wireConverseStream(t, p.streamInput())
			conv, err := decodeExact(body)
			if err != nil {
				t.Fatal(err)
			}
			stream, err := decodeExact(sbody)
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := stream.(map[string]any)["guardrailConfig"].(map[string]any); ok {
				delete(g, "streamProcessingMode")
			}
			if diff := cmp.Diff(conv, stream); diff != "" {
				t.Errorf("streamInput(%s) differs from the Converse input (-converse +stream):\n%s", tc.name, diff)
			}
		})
	}
}

func TestFormatRequestGoldenFilesUsed(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "request", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, tc := range requestCases() {
		names[tc.name] = true
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		if !names[name] {
			t.Errorf("golden file %s belongs to no case; delete it", f)
		}
	}
}

func TestFormatStreamRequestGuardrailMode(t *testing.T) {
	req := &llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))},
		Extra: &Extra{Guardrail: &GuardrailConfig{Identifier: "gr-1", Version: "DRAFT", StreamProcessingMode: "async"}}}
	in, warnings, err := FormatStreamRequest(req)
	if err != nil {
		t.Fatalf("FormatStreamRequest = %v, want no error", err)
	}
	if len(warnings) != 0 {
		t.Errorf("FormatStreamRequest warnings = %q, want none", warnings)
	}
	want := &types.GuardrailStreamConfiguration{GuardrailIdentifier: aws.String("gr-1"), GuardrailVersion: aws.String("DRAFT"), StreamProcessingMode: types.GuardrailStreamProcessingModeAsync}
	if diff := cmp.Diff(want, in.GuardrailConfig, cmp.AllowUnexported(types.GuardrailStreamConfiguration{})); diff != "" {
		t.Errorf("FormatStreamRequest guardrail (-want +got):\n%s", diff)
	}
	body, path := wireConverseStream(t, in)
	if !strings.HasSuffix(path, "/converse-stream") {
		t.Errorf("ConverseStream path = %q, want …/converse-stream", path)
	}
	if !bytes.Contains(body, []byte(`"streamProcessingMode":"async"`)) {
		t.Errorf("ConverseStream body = %s, want streamProcessingMode async", body)
	}
}

func TestFormatRequestExported(t *testing.T) {
	req := &llm.Request{Model: rqLlama, Messages: []llm.Message{rqUser(rqText("Hi"), llm.CachePoint{})}}
	in, warnings, err := FormatRequest(req)
	if err != nil {
		t.Fatalf("FormatRequest = %v, want no error", err)
	}
	if len(in.Messages) != 1 || len(in.Messages[0].Content) != 1 {
		t.Errorf("FormatRequest messages = %+v, want one message with one block", in.Messages)
	}
	if len(warnings) != 1 || warnings[0].Code != llm.WarningDropped || !strings.Contains(warnings[0].Detail, "cache point dropped") {
		t.Errorf("FormatRequest warnings = %q, want the dropped cache point", warnings)
	}
	if _, _, err := FormatRequest(nil); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("FormatRequest(nil) = %v, want an invalid-request error", err)
	}
	if _, _, err := FormatStreamRequest(nil); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("FormatStreamRequest(nil) = %v, want an invalid-request error", err)
	}
}

// TestModelIDSentUntouched checks rule 15: whatever form the id takes, it reaches the
// wire as given (one path segment, percent-escaped by the SDK).
func TestModelIDSentUntouched(t *testing.T) {
	ids := []string{
		rqClaude45,
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		"eu.amazon.nova-pro-v1:0",
		"apac.meta.llama3-2-90b-instruct-v1:0",
		"global.anthropic.claude-opus-4-5-20251101-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0",
		rqAppARN,
		"my-custom-model",
	}
	for _, id := range ids {
		req := &llm.Request{Model: id, Messages: []llm.Message{rqUser(rqText("Hi"))}}
		in, _, err := FormatRequest(req)
		if err != nil {
			t.Fatalf("FormatRequest(%s) = %v, want no error", id, err)
		}
		if got := aws.ToString(in.ModelId); got != id {
			t.Errorf("FormatRequest(%s) ModelId = %q, want it untouched", id, got)
		}
		_, path := wireConverse(t, in)
		seg := strings.TrimSuffix(strings.TrimPrefix(path, "/model/"), "/converse")
		got, err := url.PathUnescape(seg)
		if err != nil || got != id || strings.Contains(seg, "/") {
			t.Errorf("Converse path for %s = %q, want the id as one escaped segment", id, path)
		}
	}
}

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
		{name: "rule01_image_in_system_message", reason: "system content is text and cache points",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S"), llm.Image{Format: "png", Data: []byte{1}}), rqUser(rqText("Hi"))}},
			msg: 0, part: 1, want: "system message holds text and cache points only"},
		{name: "rule02_first_message_assistant", reason: "a conversation must start with a user turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S")), rqAsst(rqText("Hi")), rqUser(rqText("Hi"))}},
			msg: 1, part: -1, want: "starts with an assistant message"},
		{name: "rule02_no_user_message", reason: "only a system message",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqSys(rqText("S"))}},
			msg: -1, part: -1, field: "messages", want: "no user message"},
		{name: "rule02_unknown_role", reason: "roles are system, user, assistant, tool",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{{Role: "critic", Parts: []llm.Part{rqText("x")}}}},
			msg: 0, part: -1, want: `unknown role "critic"`},
		{name: "rule03_missing_tool_result", reason: "a call without its result in the next user turn",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`), rqCall("b", "get_weather", `{}`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 1, want: `tool call "b" has no result`},
		{name: "rule03_extra_tool_result", reason: "a result answering no call of the previous turn",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqTool(rqResult("a", "ok"), rqResult("zzz", "??"))}},
			msg: 2, part: 1, want: `tool result for call "zzz" answers no tool call`},
		{name: "rule03_duplicate_tool_result", reason: "two results for one call",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqTool(rqResult("a", "ok")), rqTool(rqResult("a", "again"))}},
			msg: 3, part: 0, want: `second tool result for call "a"`},
		{name: "rule03_result_not_in_next_turn", reason: "a result two turns after its call",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", `{}`)), rqUser(rqText("wait")), rqAsst(rqText("ok")), rqTool(rqResult("a", "late"))}},
			msg: 1, part: 0, want: `tool call "a" has no result`},
		{name: "rule03_ends_with_unanswered_call", reason: "the last turn calls a tool",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{
				rqUser(rqText("Go")), rqAsst(rqText("Calling"), rqCall("a", "get_weather", `{}`))}},
			msg: 1, part: 1, want: "ends with unanswered tool call"},
		{name: "rule03_tool_call_in_user_message", reason: "calls belong to the assistant",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqCall("a", "x", `{}`))}},
			msg: 0, part: 0, want: "tool call belongs in an assistant message"},
		{name: "rule05_empty_message", reason: "a message with no parts",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst()}},
			msg: 1, part: -1, want: "no parts"},
		{name: "rule05_message_left_empty", reason: "a message of blank text only",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText(" \t"))}},
			msg: 0, part: -1, want: "no content left"},
		{name: "rule06_tools_on_model_without_tools", reason: "Titan has no tool use",
			req: &llm.Request{Model: rqTitan, Tools: []llm.Tool{rqWeatherTool}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools", want: "does not support tools"},
		{name: "rule07_tool_input_not_object", reason: "an array input cannot be sent",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `[1,2]`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 0, want: "must be a JSON object, got an array"},
		{name: "rule07_tool_input_invalid_json", reason: "broken JSON",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `{"a":`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 0, want: "not valid JSON"},
		{name: "rule08_tool_name_in_history_invalid", reason: "names are [a-zA-Z0-9_-]{1,64}",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "get.weather", `{}`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 0, want: `tool name "get.weather"`},
		{name: "rule08_declared_tool_name_invalid", reason: "names are [a-zA-Z0-9_-]{1,64}",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: strings.Repeat("t", 65)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].name", want: "Bedrock takes 1 to 64"},
		{name: "rule08_duplicate_tool_call_id", reason: "ids must be unique in the conversation",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "x", `{}`), rqCall("a", "x", `{}`)), rqTool(rqResult("a", "ok"))}},
			msg: 1, part: 1, want: `tool call id "a" is used twice`},
		{name: "rule08_tool_call_without_id", reason: "a call needs an id to be paired",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("", "x", `{}`))}},
			msg: 1, part: 0, want: "tool call has no id"},
		{name: "rule10_schema_root_not_object", reason: "a tool schema's root is an object",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"string"}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "must have type object"},
		{name: "rule10_schema_remote_ref", reason: "only local definitions can be inlined",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"https://example.com/a.json"}}}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema at /properties/a", want: "cannot be inlined"},
		{name: "rule10_schema_recursive_ref", reason: "a recursive schema cannot be inlined",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":"object","properties":{"n":{"$ref":"#/$defs/node"}},"$defs":{"node":{"type":"object","properties":{"next":{"$ref":"#/$defs/node"}}}}}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema at /properties/n/properties/next", want: "recursive"},
		{name: "rule10_strict_additional_properties_true", reason: "strict schemas need additionalProperties false",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", Strict: true, InputSchema: json.RawMessage(`{"type":"object","additionalProperties":true}`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "additionalProperties false"},
		{name: "rule10_schema_not_json", reason: "a schema must parse",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{{Name: "t", InputSchema: json.RawMessage(`{"type":`)}}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "tools[0].inputSchema", want: "not valid JSON"},
		{name: "rule11_document_bad_format", reason: "formats are pdf csv doc docx xls xlsx html txt md",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "exe", Data: []byte{1}}, rqText("Read"))}},
			msg: 0, part: 0, want: `document format "exe"`},
		{name: "rule11_document_http_uri", reason: "only s3:// URIs",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "pdf", URI: "https://example.com/a.pdf"}, rqText("Read"))}},
			msg: 0, part: 0, want: "s3://bucket/key URIs only"},
		{name: "rule11_document_without_text", reason: "a document needs a text block in its turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Document{Name: "a", Format: "pdf", Data: []byte{1}})}},
			msg: 0, part: 0, want: "a document needs a text part"},
		{name: "rule11_image_bad_format", reason: "formats are png jpeg gif webp",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Image{Format: "bmp", Data: []byte{1}})}},
			msg: 0, part: 0, want: `image format "bmp"`},
		{name: "rule11_image_unknown_bytes", reason: "no format and bytes that are no known image",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(llm.Image{Data: []byte("hello")})}},
			msg: 0, part: 0, want: "cannot tell the image format"},
		{name: "rule11_image_in_assistant_message", reason: "images go in user turns",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst(llm.Image{Format: "png", Data: []byte{1}})}},
			msg: 1, part: 0, want: "assistant message cannot hold an image"},
		{name: "rule11_images_on_model_without_vision", reason: "Mistral Large takes no images",
			req: &llm.Request{Model: rqMistral, Messages: []llm.Message{rqUser(rqText("Look"), llm.Image{Format: "png", Data: []byte{1}})}},
			msg: 0, part: 1, want: "does not accept images"},
		{name: "rule12_cache_point_alone_in_turn", reason: "nothing to cache in an otherwise empty turn",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi")), rqAsst(llm.CachePoint{}), rqUser(rqText("Hi"))}},
			msg: 1, part: 0, want: "cache point alone in its turn"},
		{name: "rule12_too_many_cache_points", reason: "at most four per request",
			req: &llm.Request{Model: rqClaude45, Messages: append(many, rqUser(rqText("q")))},
			msg: 4, part: 1, want: "more than 4 cache points"},
		{name: "rule13_budget_below_minimum", reason: "thinking needs at least 1024 tokens",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 500}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning.budgetTokens", want: "below Bedrock's minimum thinking budget of 1024"},
		{name: "rule13_max_tokens_not_above_budget", reason: "maxTokens must exceed the budget",
			req: &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "maxTokens", want: "above the thinking budget (2048)"},
		{name: "rule13_temperature_with_thinking", reason: "thinking allows no temperature change",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, Temperature: llm.Ptr(0.2), Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "temperature", want: "thinking does not allow changing the temperature"},
		{name: "rule13_top_p_with_thinking", reason: "thinking allows topP in [0.95, 1] only",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, TopP: llm.Ptr(0.5), Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "topP", want: "between 0.95 and 1"},
		{name: "rule13_thinking_with_forced_tool_choice", reason: "thinking may not be enabled when tool_choice forces tool use",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.ToolChoice{Mode: llm.ToolChoiceRequired}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: "thinking cannot be combined with a forced tool choice"},
		{name: "rule13_thinking_with_output_tool", reason: "structured output through a forced tool conflicts with thinking",
			req: &llm.Request{Model: rqClaude37, MaxTokens: 4000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 2048}, Output: &llm.Output{Schema: json.RawMessage(`{"type":"object"}`)}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "output", want: "does not allow with thinking on"},
		{name: "rule13_nova_high_effort_with_sampling", reason: "high effort on Nova 2 needs temperature, topP and maxTokens unset",
			req: &llm.Request{Model: rqNova2, MaxTokens: 1000, Reasoning: &llm.ReasoningConfig{Effort: llm.ReasoningHigh}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning.effort", want: "needs temperature, topP and maxTokens unset"},
		{name: "rule13_empty_reasoning_config", reason: "a reasoning config must say budget or effort",
			req: &llm.Request{Model: rqClaude45, Reasoning: &llm.ReasoningConfig{}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "reasoning", want: "set BudgetTokens or Effort"},
		{name: "rule14_named_choice_undeclared", reason: "the named tool must be declared",
			req: &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, ToolChoice: llm.UseTool("nope"), Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "toolChoice", want: `names tool "nope"`},
		{name: "rule14_required_without_tools", reason: "a forced choice needs tools",
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
		{name: "extra_wrong_type", reason: "Extra must be a *bedrock.Extra",
			req: &llm.Request{Model: rqNova, Extra: map[string]any{"x": 1}, Messages: []llm.Message{rqUser(rqText("Hi"))}},
			msg: -1, part: -1, field: "extra", want: "want a *bedrock.Extra, got map[string]interface {}"},
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

func TestToolUseID(t *testing.T) {
	valid := regexp.MustCompile(`^[a-zA-Z0-9_.:-]{1,64}$`)
	tests := []struct {
		id     string
		reason string
		keep   bool
	}{
		{"tooluse_abc-1.2:3", "a valid id is kept", true},
		{strings.Repeat("a", 64), "64 characters are allowed", true},
		{strings.Repeat("a", 65), "65 characters are too many", false},
		{"call 1", "a space is invalid", false},
		{"call_1", "differs from call 1 only by the invalid character", true},
		{"日本語", "non-ASCII is invalid", false},
		{"a/b", "a slash is invalid", false},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		got := toolUseID(tc.id)
		if !valid.MatchString(got) {
			t.Errorf("toolUseID(%q) = %q, want an id Bedrock accepts (%s)", tc.id, got, tc.reason)
		}
		if (got == tc.id) != tc.keep {
			t.Errorf("toolUseID(%q) = %q, want kept = %v (%s)", tc.id, got, tc.keep, tc.reason)
		}
		if again := toolUseID(tc.id); again != got {
			t.Errorf("toolUseID(%q) = %q then %q, want the same mapping every time", tc.id, got, again)
		}
		if toolUseID(got) != got {
			t.Errorf("toolUseID(toolUseID(%q)) changed the id, want the mapping idempotent", tc.id)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("toolUseID(%q) = toolUseID(%q) = %q, want distinct ids kept apart", tc.id, prev, got)
		}
		seen[got] = tc.id
	}
}

func TestDocumentName(t *testing.T) {
	tests := []struct {
		name, want, reason string
	}{
		{"report.pdf", "report", "a known extension is stripped"},
		{"my_report (v2) [final].docx", "my-report (v2) [final]", "underscores become hyphens; parentheses and brackets stay"},
		{"  lots   of\tspace  ", "lots of space", "whitespace runs become one space, trimmed"},
		{"résumé.txt", "r-sum-", "non-ASCII letters are replaced"},
		{"***", "document-1", "no letter or digit left: fallback"},
		{"", "document-1", "no name: fallback"},
		{strings.Repeat("a", 250), strings.Repeat("a", 200), "at most 200 characters"},
	}
	for _, tc := range tests {
		b := &requestBuilder{docCount: 1}
		if got := b.documentName(tc.name); got != tc.want {
			t.Errorf("documentName(%q) = %q, want %q (%s)", tc.name, got, tc.want, tc.reason)
		}
	}
	b := &requestBuilder{docCount: 1}
	first, second := b.documentName("a.pdf"), b.documentName("a.pdf")
	if first != "a" || second != "a (2)" {
		t.Errorf("documentName(a.pdf) twice = %q, %q, want a, a (2)", first, second)
	}
}

func TestToolInputNumbersExact(t *testing.T) {
	in := `{"big":123456789012345678901234567890,"u64":12345678901234567890,"inf":1e400,"f":0.1000,"e":-2.5E-10,"s":"1","n":null,"b":false,"a":[1,{"x":2}]}`
	got, err := toolInputJSON(json.RawMessage(in))
	if err != nil {
		t.Fatalf("toolInputJSON(%s) = %v", in, err)
	}
	if string(got) != in {
		t.Errorf("toolInputJSON(%s) = %s, want the input unchanged", in, got)
	}
	req := &llm.Request{Model: rqClaude45, Messages: []llm.Message{
		rqUser(rqText("Go")), rqAsst(rqCall("a", "t", in)), rqTool(rqResult("a", "ok")),
	}}
	p, err := formatRequest(req, capabilitiesFor(req.Model, nil))
	if err != nil {
		t.Fatalf("FormatRequest = %v", err)
	}
	body, _ := wireConverse(t, p.input)
	for _, lit := range []string{"123456789012345678901234567890", "12345678901234567890", "1e400", "0.1000", "-2.5E-10", `"s":"1"`, `"n":null`, `"b":false`} {
		if !bytes.Contains(body, []byte(lit)) {
			t.Errorf("tool input on the wire = %s, want it to hold %s exactly", body, lit)
		}
	}
	if want := `"input":` + in; !bytes.Contains(body, []byte(want)) {
		t.Errorf("tool input on the wire = %s, want %s byte for byte (members in order)", body, want)
	}
}

// TestRawJSONOnTheWire checks that JSON given by the caller reaches the body as written —
// members in their order, number literals exact, whitespace removed — through every
// document member the request fills.
func TestRawJSONOnTheWire(t *testing.T) {
	round := func(input, result string) []llm.Message {
		return []llm.Message{rqUser(rqText("Go")), rqAsst(rqCall("a", "get_weather", input)), rqTool(rqResult("a", result))}
	}
	tests := []struct {
		name   string
		reason string
		req    *llm.Request
		want   []string // each a substring of the body
	}{
		{
			name:   "tool_input",
			reason: "tool input keeps its member order and literals; insignificant whitespace goes",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round(` { "zeta" : 1.50, "alpha" : [ 1e400 , -0 ] } `, "ok")},
			want:   []string{`"input":{"zeta":1.50,"alpha":[1e400,-0]}`},
		},
		{
			name:   "empty_tool_input",
			reason: "empty tool input is sent as an empty object (rule 7)",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round(" ", "ok")},
			want:   []string{`"input":{}`},
		},
		{
			name:   "tool_input_invalid_utf8",
			reason: "each invalid UTF-8 byte in a string becomes U+FFFD, as encoding/json reads it, so the body stays valid",
			req:    &llm.Request{Model: rqClaude45, Tools: []llm.Tool{rqWeatherTool}, Messages: round("{\"city\":\"Par\xff\xfeis\"}", "ok")},
			want:   []string{"\"input\":{\"city\":\"Par\uFFFD\uFFFDis\"}"},
		},
		{
			name:   "json_tool_result",
			reason: "a JSON object result on Nova goes as a json block, as written",
			req:    &llm.Request{Model: rqNova, Tools: []llm.Tool{rqWeatherTool}, Messages: round(`{"city":"Paris"}`, ` {"temp": 18.50, "sky": "clear", "a": 1E2} `)},
			want:   []string{`{"json":{"temp":18.50,"sky":"clear","a":1E2}}`},
		},
		{
			name:   "tool_schema",
			reason: "a tool schema keeps its property order and literals through normalisation",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))}, Tools: []llm.Tool{
				{Name: "order", InputSchema: json.RawMessage(`{"type":"object","properties":{"zeta":{"type":"string","description":"<z> & \u00e9"},"alpha":{"type":"number","maximum":1.0e400}},"required":["zeta"]}`)},
			}},
			want: []string{`"inputSchema":{"json":{"type":"object","properties":{"zeta":{"type":"string","description":"<z> & é"},"alpha":{"type":"number","maximum":1.0e400}},"required":["zeta"]}}`},
		},
		{
			name:   "stub_tool_schema",
			reason: "a tool called in the history but not declared gets the permissive schema",
			req:    &llm.Request{Model: rqClaude45, Messages: round(`{}`, "ok")},
			want:   []string{`"inputSchema":{"json":{"type":"object","properties":{}}}`},
		},
		{
			name:   "native_output_schema",
			reason: "the native output schema string keeps the property order",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Extract."))},
				Output: &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"zeta":{"type":"string"},"alpha":{"type":"integer"}}}`)}},
			want: []string{`"schema":"{\"type\":\"object\",\"properties\":{\"zeta\":{\"type\":\"string\"},\"alpha\":{\"type\":\"integer\"}},\"additionalProperties\":false}"`},
		},
		{
			name:   "additional_fields",
			reason: "the caller's additional fields keep their order and literals",
			req: &llm.Request{Model: rqClaude45, Messages: []llm.Message{rqUser(rqText("Hi"))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`{ "top_k": 40, "a": {"z": 0.10, "b": null} }`)}},
			want: []string{`"additionalModelRequestFields":{"top_k":40,"a":{"z":0.10,"b":null}}`},
		},
		{
			name:   "additional_fields_with_thinking",
			reason: "llmkit's thinking fields follow the caller's, which stay as written",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(`{"top_k":40,"a":1.0}`)}},
			want: []string{`"additionalModelRequestFields":{"top_k":40,"a":1.0,"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
		{
			name:   "thinking_without_caller_fields",
			reason: "llmkit's thinking fields alone make the object",
			req:    &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))}},
			want:   []string{`"additionalModelRequestFields":{"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
		{
			name:   "thinking_with_empty_caller_fields",
			reason: "an empty caller object takes llmkit's fields without a stray comma",
			req: &llm.Request{Model: rqClaude45, MaxTokens: 8000, Reasoning: &llm.ReasoningConfig{BudgetTokens: 4000}, Messages: []llm.Message{rqUser(rqText("Think."))},
				Extra: &Extra{AdditionalModelRequestFields: json.RawMessage(` { } `)}},
			want: []string{`"additionalModelRequestFields":{"thinking":{"budget_tokens":4000,"type":"enabled"}}`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := formatRequest(tc.req, capabilitiesFor(tc.req.Model, nil))
			if err != nil {
				t.Fatalf("FormatRequest(%s) = %v, want no error (%s)", tc.name, err, tc.reason)
			}
			for _, body := range [][]byte{first(wireConverse(t, p.input)), first(wireConverseStream(t, p.streamInput()))} {
				if !json.Valid(body) || !utf8.Valid(body) {
					t.Fatalf("FormatRequest(%s) body is not valid JSON in UTF-8: %q", tc.name, body)
				}
				for _, w := range tc.want {
					if !bytes.Contains(body, []byte(w)) {
						t.Errorf("FormatRequest(%s) body = %s, want it to hold %s (%s)", tc.name, body, w, tc.reason)
					}
				}
			}
		})
	}
}

func first[A, B any](a A, _ B) A { return a }

func TestRawDocument(t *testing.T) {
	const in = `{"b":12345678901234567890,"a":[1.50,"x",null,true]}`
	doc := newRawDocument([]byte(in))
	got, err := doc.MarshalSmithyDocument()
	if err != nil || string(got) != in {
		t.Errorf("MarshalSmithyDocument() = %s, %v, want %s, nil", got, err, in)
	}
	var v any
	if err := doc.UnmarshalSmithyDocument(&v); err != nil {
		t.Fatalf("UnmarshalSmithyDocument(&v) = %v, want no error", err)
	}
	want := map[string]any{"b": json.Number("12345678901234567890"), "a": []any{json.Number("1.50"), "x", nil, true}}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("UnmarshalSmithyDocument(&v) (-want +got):\n%s", diff)
	}
	var s struct {
		B uint64 `json:"b"`
	}
	if err := doc.UnmarshalSmithyDocument(&s); err != nil || s.B != 12345678901234567890 {
		t.Errorf("UnmarshalSmithyDocument(&struct) = %v, b = %d, want 12345678901234567890", err, s.B)
	}
}

func TestExtraForms(t *testing.T) {
	base := llm.Request{Model: rqNova, Messages: []llm.Message{rqUser(rqText("Hi"))}}
	for _, extra := range []any{nil, (*Extra)(nil), Extra{}, &Extra{}} {
		req := base
		req.Extra = extra
		p, err := formatRequest(&req, capabilitiesFor(req.Model, nil))
		if err != nil {
			t.Fatalf("FormatRequest(Extra %T) = %v, want no error", extra, err)
		}
		in := p.input
		if in.AdditionalModelRequestFields != nil || in.GuardrailConfig != nil || in.PerformanceConfig != nil || in.ServiceTier != nil || in.RequestMetadata != nil {
			t.Errorf("FormatRequest(Extra %T) set Bedrock-specific fields, want none", extra)
		}
	}
}

// FuzzFormatRequest builds conversations from random bytes: formatRequest never panics,
// and either fails with an invalid-request error or returns an input that keeps Bedrock's
// invariants.
func FuzzFormatRequest(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte("a tool round trip with cache points and reasoning"))
	f.Add([]byte{4, 1, 0, 7, 2, 1, 1, 1, 0, 1, 2, 2, 1, 0, 0, 3, 1, 0, 7})
	f.Add([]byte{9, 3, 0, 1, 7, 6, 2, 1, 1, 0, 2, 2, 2, 1, 5, 0, 1, 2, 0, 0, 1, 7, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		req, caps := fuzzRequest(data)
		p, err := formatRequest(req, caps)
		if err != nil {
			var ire *llm.InvalidRequestError
			if !errors.As(err, &ire) || !errors.Is(err, llm.ErrInvalidRequest) {
				t.Fatalf("formatRequest = %T %v, want an *llm.InvalidRequestError", err, err)
			}
			return
		}
		checkConverseInvariants(t, p.input, caps)
	})
}

type fuzzBytes struct {
	data []byte
	i    int
}

func (r *fuzzBytes) next(n int) int {
	if r.i >= len(r.data) {
		return 0
	}
	v := int(r.data[r.i]) % n
	r.i++
	return v
}

var fuzzModels = []string{rqClaude45, rqClaude37, rqNova, rqLlama, rqMistral, rqAppARN}

func fuzzRequest(data []byte) (*llm.Request, llm.Capabilities) {
	r := &fuzzBytes{data: data}
	req := &llm.Request{Model: fuzzModels[r.next(len(fuzzModels))]}
	ids := []string{"a", "b", "c d", strings.Repeat("z", 70)}
	names := []string{"get_weather", "get_time", "lookup"}
	inputs := []string{"", "{}", `{"x":1}`, `{"n":1e400,"s":[true,null]}`, "[1]", `{"y":`}
	texts := []string{"hi", "question", "ok\n", "fine", "more", "sure", " ", ""}
	// Mostly well-formed conversations, so the invariants get checked often; every
	// byte still steers towards the malformed ones.
	role := llm.RoleUser
	var lastCalls []string
	nmsg := 1 + r.next(10)
	for range nmsg {
		switch r.next(12) {
		case 0:
			role = llm.RoleSystem
		case 1:
			role = llm.RoleTool
		case 2:
			role = []llm.Role{llm.RoleUser, llm.RoleAssistant, "critic"}[r.next(3)]
		}
		m := llm.Message{Role: role}
		switch {
		case role == llm.RoleTool && len(lastCalls) > 0 && r.next(8) != 0:
			for _, id := range lastCalls {
				if r.next(8) != 0 {
					tr := llm.ToolResult{CallID: id, IsError: r.next(4) == 0}
					if r.next(4) != 0 {
						tr.Content = []llm.Part{rqText(texts[r.next(len(texts))])}
					}
					m.Parts = append(m.Parts, tr)
				}
			}
			lastCalls = nil
		default:
			nparts := 1 + r.next(3)
			if r.next(16) == 0 {
				nparts = 0
			}
			calls := lastCalls[:0:0]
			for range nparts {
				// Part kinds that fit the role, and now and then any kind at all.
				kinds := map[llm.Role][]int{
					llm.RoleUser:      {0, 0, 0, 6, 7, 8},
					llm.RoleAssistant: {0, 0, 3, 3, 5, 6},
					llm.RoleSystem:    {0, 0, 6},
				}[role]
				kind := r.next(10)
				if len(kinds) > 0 && r.next(16) != 0 {
					kind = kinds[r.next(len(kinds))]
				}
				switch kind {
				case 0, 1, 2:
					m.Parts = append(m.Parts, rqText(texts[r.next(len(texts))]))
				case 3:
					id := ids[r.next(len(ids))]
					if r.next(4) != 0 {
						id = fmt.Sprintf("call_%d_%d", len(req.Messages), len(m.Parts))
					}
					calls = append(calls, id)
					m.Parts = append(m.Parts, rqCall(id, names[r.next(len(names))], inputs[r.next(len(inputs))]))
				case 4:
					m.Parts = append(m.Parts, llm.ToolResult{CallID: ids[r.next(len(ids))]})
				case 5:
					m.Parts = append(m.Parts, llm.Reasoning{Text: "t", Signature: []string{"", "sig"}[r.next(2)]})
				case 6:
					m.Parts = append(m.Parts, llm.CachePoint{TTL: []time.Duration{0, time.Hour, time.Second}[r.next(3)]})
				case 7:
					m.Parts = append(m.Parts, llm.Image{Format: []string{"png", "jpeg", "png", "bmp", ""}[r.next(5)], Data: []byte{1}})
				case 8:
					m.Parts = append(m.Parts, llm.Document{Name: []string{"d.pdf", "r_1.md", "notes.txt", "x"}[r.next(4)], Data: []byte{1}})
				case 9:
					m.Parts = append(m.Parts, nil)
				}
			}
			if role == llm.RoleAssistant {
				lastCalls = calls
			}
		}
		req.Messages = append(req.Messages, m)
		if role == llm.RoleUser || role == llm.RoleTool || role == llm.RoleSystem {
			role = llm.RoleAssistant
		} else {
			role = llm.RoleUser
			if len(lastCalls) > 0 {
				role = llm.RoleTool
			}
		}
	}
	if r.next(2) == 1 {
		req.Tools = []llm.Tool{rqWeatherTool}
	}
	req.ToolChoice.Mode = []llm.ToolChoiceMode{"", llm.ToolChoiceNone, llm.ToolChoiceRequired}[r.next(3)]
	if r.next(4) == 0 {
		req.Output = &llm.Output{Schema: json.RawMessage(`{"type":"object","properties":{"a":{"type":"string"}}}`)}
	}
	if r.next(4) == 0 {
		req.MaxTokens = 4096
		req.Reasoning = &llm.ReasoningConfig{BudgetTokens: 2048}
	}
	return req, capabilitiesFor(req.Model, nil)
}

// checkConverseInvariants checks what Bedrock requires of every request.
func checkConverseInvariants(t *testing.T, in *bedrockruntime.ConverseInput, caps llm.Capabilities) {
	t.Helper()
	validID := regexp.MustCompile(`^[a-zA-Z0-9_.:-]{1,64}$`)
	validName := regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	if len(in.Messages) == 0 || in.Messages[0].Role != types.ConversationRoleUser {
		t.Fatalf("messages = %+v, want a first user message", in.Messages)
	}
	var pending map[string]bool
	toolBlocks := false
	cache := 0
	for _, s := range in.System {
		if _, ok := s.(*types.SystemContentBlockMemberCachePoint); ok {
			cache++
		}
	}
	for i, m := range in.Messages {
		if i > 0 && m.Role == in.Messages[i-1].Role {
			t.Fatalf("messages %d and %d are both %s, want alternation", i-1, i, m.Role)
		}
		if len(m.Content) == 0 {
			t.Fatalf("message %d has no content", i)
		}
		onlyCache := true
		results := map[string]bool{}
		mixed := false
		for j, c := range m.Content {
			if _, ok := c.(*types.ContentBlockMemberCachePoint); !ok {
				onlyCache = false
			}
			switch v := c.(type) {
			case *types.ContentBlockMemberText:
				if isBlank(v.Value) {
					t.Fatalf("message %d block %d: blank text", i, j)
				}
				mixed = true
			case *types.ContentBlockMemberImage, *types.ContentBlockMemberDocument:
				mixed = true
			case *types.ContentBlockMemberCachePoint:
				cache++
				if j == 0 {
					t.Fatalf("message %d: a cache point leads the turn", i)
				}
			case *types.ContentBlockMemberReasoningContent:
				if m.Role != types.ConversationRoleAssistant {
					t.Fatalf("message %d: reasoning in a user turn", i)
				}
			case *types.ContentBlockMemberToolUse:
				toolBlocks = true
				if m.Role != types.ConversationRoleAssistant || !validID.MatchString(aws.ToString(v.Value.ToolUseId)) || !validName.MatchString(aws.ToString(v.Value.Name)) {
					t.Fatalf("message %d block %d: bad tool use %+v", i, j, v.Value)
				}
				raw, err := v.Value.Input.MarshalSmithyDocument()
				if err != nil || len(raw) == 0 || raw[0] != '{' {
					t.Fatalf("message %d block %d: tool input %s (%v), want a JSON object", i, j, raw, err)
				}
			case *types.ContentBlockMemberToolResult:
				toolBlocks = true
				id := aws.ToString(v.Value.ToolUseId)
				if m.Role != types.ConversationRoleUser || !pending[id] || results[id] || len(v.Value.Content) == 0 {
					t.Fatalf("message %d block %d: tool result %q does not answer a call of the turn before exactly once", i, j, id)
				}
				if v.Value.Status != "" && !caps.ToolResultStatus {
					t.Fatalf("message %d block %d: status sent to a model without it", i, j)
				}
				results[id] = true
			default:
				t.Fatalf("message %d block %d: unexpected block %T", i, j, c)
			}
		}
		if onlyCache {
			t.Fatalf("message %d holds only cache points", i)
		}
		if m.Role == types.ConversationRoleUser {
			if len(results) != len(pending) {
				t.Fatalf("message %d answers %d of %d tool calls", i, len(results), len(pending))
			}
			if len(results) > 0 && mixed && !caps.MixedToolResults {
				t.Fatalf("message %d mixes content and tool results on a model that rejects it", i)
			}
			pending = nil
		} else {
			pending = map[string]bool{}
			for _, c := range m.Content {
				if u, ok := c.(*types.ContentBlockMemberToolUse); ok {
					pending[aws.ToString(u.Value.ToolUseId)] = true
				}
			}
		}
	}
	if len(pending) > 0 {
		t.Fatalf("the conversation ends with %d unanswered tool calls", len(pending))
	}
	if cache > maxCachePoints {
		t.Fatalf("%d cache points, want at most %d", cache, maxCachePoints)
	}
	if toolBlocks && (in.ToolConfig == nil || len(in.ToolConfig.Tools) == 0) {
		t.Fatalf("history holds tool blocks but toolConfig = %+v", in.ToolConfig)
	}
	if in.ToolConfig != nil && len(in.ToolConfig.Tools) == 0 {
		t.Fatalf("toolConfig without tools")
	}
	wireConverse(t, in) // the SDK's own validation and serialisation accept it
}

// benchRequest is a 20-message conversation with three tools, a system prompt and a
// cache point, as the benchmarks translate it.
func benchRequest(b *testing.B) *llm.Request {
	req := &llm.Request{
		Model:     rqClaude45,
		MaxTokens: 2048,
		Tools: []llm.Tool{rqWeatherTool, rqTimeTool, {
			Name:        "search",
			Description: "Search the web.",
			InputSchema: json.RawMessage(`{"type":"object","properties":{"q":{"type":"string"},"limit":{"type":"integer"}},"required":["q"]}`),
		}},
		Messages: []llm.Message{rqSys(rqText("You are a helpful assistant."), llm.CachePoint{})},
	}
	for i := range 6 {
		id := "call_" + string(rune('a'+i))
		req.Messages = append(req.Messages,
			rqUser(rqText("What is the weather and time in city number "+id+"?")),
			rqAsst(rqText("Let me check."), rqCall(id, "get_weather", `{"city":"Paris","units":"metric","days":3}`)),
			rqTool(rqResult(id, `{"temp":18.5,"sky":"clear","wind":{"speed":12,"dir":"NW"}}`)),
		)
	}
	req.Messages = append(req.Messages, rqAsst(rqText("It is sunny everywhere.")), rqUser(rqText("Thanks, and the time?")))
	if n := len(req.Messages); n != 21 {
		b.Fatalf("conversation has %d messages, want 20 plus the system message", n)
	}
	return req
}

// BenchmarkFormatRequest translates a 20-message conversation with three tools.
func BenchmarkFormatRequest(b *testing.B) {
	req := benchRequest(b)
	caps := capabilitiesFor(req.Model, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := formatRequest(req, caps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFormatRequestWire translates the conversation of [BenchmarkFormatRequest] and
// has the SDK serialise it (signing included), so work a translation leaves to the SDK's
// document encoder is counted too.
func BenchmarkFormatRequestWire(b *testing.B) {
	req := benchRequest(b)
	caps := capabilitiesFor(req.Model, nil)
	d := &captureDoer{}
	client := captureClient(d)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		p, err := formatRequest(req, caps)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := client.Converse(ctx, p.input); !errors.Is(err, errCaptured) {
			b.Fatalf("Converse did not reach the HTTP client: %v", err)
		}
	}
}

// FuzzJSONTree checks the ordered tree schemas are normalised on against encoding/json:
// the same inputs are accepted, and the tree written back decodes to the same value
// (numbers as their literals, a repeated key keeping its last value).
func FuzzJSONTree(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,2.5,-0,1e400,"x",true,false,null]}`, `"\u00e9\ud83d\ude00\ud800x"`,
		`{"a":1,"a":2}`, ` 12 `, `{"a":}`, `[1,]`, `01`, `1.`, `"\x"`, "\"\xff\"", `{"a" 1}`, `[1] 2`,
		`{"z":{"<&>":"\u2028\t\u0001"},"a":[[[]]]}`, `1e700A`, "\"\xe2\x82\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		wantErr := dec.Decode(&want)
		if wantErr == nil {
			if _, err := dec.Token(); err != io.EOF {
				wantErr = errors.New("data after the JSON value")
			}
		}
		tree, err := parseJSONTree(data)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("parseJSONTree(%q) error = %v, encoding/json error = %v", data, err, wantErr)
		}
		if err != nil {
			return
		}
		out := tree.appendJSON(nil)
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("parseJSONTree(%q).appendJSON = %q, want valid JSON in UTF-8", data, out)
		}
		got, err := decodeExact(out)
		if err != nil {
			t.Fatalf("decoding parseJSONTree(%q).appendJSON = %q: %v", data, out, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("parseJSONTree(%q) differs from encoding/json (-json +tree):\n%s", data, diff)
		}
	})
}

// TestFormatRequestMatchesRecordings rebuilds recorded requests — sent to the real
// Bedrock and answered — from neutral requests, and compares the bodies semantically.
// The recordings are ReqLLM's; where llmkit deliberately differs, the case says how.
func TestFormatRequestMatchesRecordings(t *testing.T) {
	addTool := llm.Tool{Name: "add", Description: "Add two integers",
		InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"],"type":"object"}`)}
	roundTrip := func(model, said, id string) *llm.Request {
		return &llm.Request{Model: model, MaxTokens: 150, Temperature: llm.Ptr(0.0), Tools: []llm.Tool{addTool}, Messages: []llm.Message{
			llm.UserText("Use the add tool to compute 2 + 3. After the tool result arrives, respond with 'sum=<value>'."),
			rqAsst(rqText(said), rqCall(id, "add", `{"a": 2, "b": 3}`)),
			rqTool(rqResult(id, "5")),
		}}
	}
	tests := []struct {
		fixture string
		stream  bool
		req     *llm.Request
		// differ edits the recorded body into what llmkit sends, documenting the difference.
		differ func(map[string]any)
	}{
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/basic",
			req:     &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 50, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("Hello world!")}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/streaming",
			stream:  true,
			req: &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 100, Temperature: llm.Ptr(0.9), Messages: []llm.Message{
				llm.SystemText("You are a helpful, creative assistant."), llm.UserText("Say hello in one short, imaginative sentence.")}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/tool_round_trip_2",
			req:     roundTrip("global.anthropic.claude-haiku-4-5-20251001-v1:0", "I'll use the add tool to compute 2 + 3.", "tooluse_pr4l8my1R9Sd9YccZuSb3Q"),
		},
		{
			fixture: "cohere_command_r_plus_v1_0/tool_round_trip_2",
			req:     roundTrip("cohere.command-r-plus-v1:0", "I will use the add tool to calculate the sum of 2 and 3, and then respond with the answer in the format requested by the user.", "tooluse_0eR3xlEnSuC12ItLoveTGw"),
		},
		{
			fixture: "meta_llama3_3_70b_instruct_v1_0/multi_tool",
			req: &llm.Request{Model: "us.meta.llama3-3-70b-instruct-v1:0", MaxTokens: 150, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("What's the weather like in Paris, France?")},
				Tools: []llm.Tool{
					{Name: "get_weather", Description: "Get current weather information for a location", InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"location":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"],"type":"string"}},"required":["location"],"type":"object"}`)},
					{Name: "tell_joke", Description: "Tell a funny joke", InputSchema: json.RawMessage(`{"additionalProperties":false,"properties":{"topic":{"description":"Topic for the joke","type":"string"}},"type":"object"}`)},
					{Name: "get_time", Description: "Get the current time", InputSchema: json.RawMessage(`{"properties":{},"type":"object"}`)},
				}},
		},
		{
			fixture: "anthropic_claude_haiku_4_5_20251001_v1_0/object_basic",
			req: &llm.Request{Model: "global.anthropic.claude-haiku-4-5-20251001-v1:0", MaxTokens: 500, Temperature: llm.Ptr(0.0), Messages: []llm.Message{llm.UserText("Generate a software engineer profile")},
				Output: &llm.Output{Mode: llm.OutputTool, Description: "Generate structured output matching the provided schema",
					Schema: json.RawMessage(`{"additionalProperties":false,"properties":{"age":{"description":"Person's age in years","minimum":1,"type":"integer"},"name":{"description":"Person's full name","type":"string"},"occupation":{"description":"Person's job or profession","type":"string"}},"required":["name","age"],"type":"object"}`)}},
			differ: func(body map[string]any) {
				// ReqLLM meant to force the synthetic tool but sent no toolChoice (a known
				// ReqLLM bug); llmkit forces it by name.
				body["toolConfig"].(map[string]any)["toolChoice"] = map[string]any{"tool": map[string]any{"name": "structured_output"}}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("bedrocktest", "testdata", "fixtures", tc.fixture+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var rec struct {
				Request struct {
					URL           string          `json:"url"`
					CanonicalJSON json.RawMessage `json:"canonical_json"`
				} `json:"request"`
			}
			if err := json.Unmarshal(raw, &rec); err != nil {
				t.Fatal(err)
			}
			var want map[string]any
			if err := json.Unmarshal(rec.Request.CanonicalJSON, &want); err != nil {
				t.Fatal(err)
			}
			if tc.differ != nil {
				tc.differ(want)
			}
			var body []byte
			var path string
			if tc.stream {
				in, warnings, err := FormatStreamRequest(tc.req)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("FormatStreamRequest(%s) = %v, %q, want no error and no warnings", tc.fixture, err, warnings)
				}
				body, path = wireConverseStream(t, in)
			} else {
				in, warnings, err := FormatRequest(tc.req)
				if err != nil || len(warnings) > 0 {
					t.Fatalf("FormatRequest(%s) = %v, %q, want no error and no warnings", tc.fixture, err, warnings)
				}
				body, path = wireConverse(t, in)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("FormatRequest(%s) body differs from the recording (-recorded +llmkit):\n%s", tc.fixture, diff)
			}
			u, err := url.Parse(rec.Request.URL)
			if err != nil {
				t.Fatal(err)
			}
			if gotID, wantID := strings.TrimPrefix(path, "/model/"), strings.TrimPrefix(u.Path, "/model/"); unescapeOrSelf(gotID) != unescapeOrSelf(wantID) {
				t.Errorf("FormatRequest(%s) path = %s, recorded %s", tc.fixture, path, u.Path)
			}
		})
	}
}

func unescapeOrSelf(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
