package bedrock

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
)

func TestBaseModelID(t *testing.T) {
	tests := []struct {
		id, want string
		ok       bool
		reason   string
	}{
		{"anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0", true, "a base id is its own base"},
		{"us.anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic.claude-sonnet-4-5-20250929-v1:0", true, "us. profile"},
		{"eu.amazon.nova-pro-v1:0", "amazon.nova-pro-v1:0", true, "eu. profile"},
		{"apac.meta.llama3-2-90b-instruct-v1:0", "meta.llama3-2-90b-instruct-v1:0", true, "apac. profile"},
		{"jp.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0", true, "jp. profile"},
		{"au.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0", true, "au. profile"},
		{"ca.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", true, "ca. profile"},
		{"us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0", true, "us-gov. profile"},
		{"global.anthropic.claude-opus-4-5-20251101-v1:0", "anthropic.claude-opus-4-5-20251101-v1:0", true, "global. profile"},
		{"arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-3-70b-instruct-v1:0", "meta.llama3-3-70b-instruct-v1:0", true, "foundation-model ARN"},
		{"arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-3-7-sonnet-20250219-v1:0", true, "inference-profile ARN"},
		{"arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20240620-v1:0", true, "GovCloud partition"},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3", "", false, "an application profile names no base model"},
		{"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc", "", false, "provisioned throughput names no base model"},
		{"arn:aws:bedrock:us-east-1:123456789012:custom-model/x", "", false, "a custom model names no base model"},
		{"arn:aws:bedrock", "", false, "a malformed ARN"},
		{"us.", "", false, "a bare prefix"},
	}
	for _, tc := range tests {
		got, ok := baseModelID(tc.id)
		if got != tc.want || ok != tc.ok {
			t.Errorf("baseModelID(%q) = %q, %v, want %q, %v (%s)", tc.id, got, ok, tc.want, tc.ok, tc.reason)
		}
	}
}

// TestCapabilitiesForIDForms checks that every form of an id — base, inference profile,
// foundation-model ARN, inference-profile ARN — gets the capabilities of its family.
func TestCapabilitiesForIDForms(t *testing.T) {
	forms := func(base string) []string {
		return []string{
			base,
			"us." + base,
			"eu." + base,
			"apac." + base,
			"global." + base,
			"arn:aws:bedrock:us-east-1::foundation-model/" + base,
			"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us." + base,
		}
	}
	bases := []string{
		"anthropic.claude-sonnet-4-5-20250929-v1:0",
		"anthropic.claude-3-7-sonnet-20250219-v1:0",
		"amazon.nova-pro-v1:0",
		"meta.llama3-3-70b-instruct-v1:0",
		"mistral.mistral-large-2407-v1:0",
		"openai.gpt-oss-120b-1:0",
	}
	for _, base := range bases {
		want := CapabilitiesFor(base)
		if want == unknownModelCaps {
			t.Fatalf("CapabilitiesFor(%s) = the unknown-model defaults, want a table row", base)
		}
		for _, id := range forms(base) {
			if diff := cmp.Diff(want, CapabilitiesFor(id)); diff != "" {
				t.Errorf("CapabilitiesFor(%s) differs from CapabilitiesFor(%s) (-base +form):\n%s", id, base, diff)
			}
		}
	}
}

func TestCapabilitiesFor(t *testing.T) {
	tests := []struct {
		id     string
		check  func(llm.Capabilities, modelFamily) bool
		reason string
	}{
		{"anthropic.claude-sonnet-4-5-20250929-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return c.NativeOutput && c.Reasoning && c.ToolChoiceTool && f.resultStatus && c.CachePoints && f.mixedResults
		}, "Claude 4.5: native output, thinking, named choice, status, caching"},
		{"anthropic.claude-3-7-sonnet-20250219-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return c.Reasoning && !c.NativeOutput && c.ToolChoiceTool && c.CachePoints
		}, "Claude 3.7: thinking and caching, no native output"},
		{"anthropic.claude-3-5-sonnet-20240620-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return !c.Reasoning && c.ToolChoiceTool && f.resultStatus && c.Images
		}, "Claude 3.5 Sonnet: tools with named choice and status (REQ-TOOL-ERROR and REQ-TOOL-CHOICE), no reasoning"},
		{"anthropic.claude-v2:1", func(c llm.Capabilities, f modelFamily) bool { return !c.Tools }, "Claude 2 has no tools"},
		{"amazon.nova-lite-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return c.ToolChoiceTool && f.resultStatus && !c.NativeOutput && !c.Reasoning
		}, "Nova: named choice and status (REQ-TOOL-ERROR and REQ-TOOL-CHOICE)"},
		{"amazon.nova-2-lite-v1:0", func(c llm.Capabilities, f modelFamily) bool { return c.Reasoning }, "Nova 2 Lite reasons"},
		{"amazon.nova-micro-v1:0", func(c llm.Capabilities, f modelFamily) bool { return !c.Images }, "Nova Micro is text only"},
		{"meta.llama3-1-70b-instruct-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return c.Tools && !c.ToolChoiceTool && !c.ToolChoiceRequired && !f.resultStatus && !f.mixedResults && !c.StreamingTools
		}, "Llama 3.1: tools, no forced choice, no status, no text beside results (REQ-TOOL-RESULT-TURN, REQ-TOOL-ERROR and REQ-TOOL-CHOICE)"},
		{"meta.llama3-2-3b-instruct-v1:0", func(c llm.Capabilities, f modelFamily) bool { return !c.Tools }, "Llama 3.2 3B has no tools"},
		{"meta.llama3-2-11b-instruct-v1:0", func(c llm.Capabilities, f modelFamily) bool { return c.Tools && c.Images }, "Llama 3.2 11B sees images"},
		{"mistral.mistral-large-2407-v1:0", func(c llm.Capabilities, f modelFamily) bool {
			return c.Tools && c.ToolChoiceRequired && !c.ToolChoiceTool && !f.resultStatus && !f.mixedResults
		}, "Mistral Large: any but no named choice, no status, no text beside results (REQ-TOOL-RESULT-TURN, REQ-TOOL-ERROR and REQ-TOOL-CHOICE)"},
		{"mistral.mistral-7b-instruct-v0:2", func(c llm.Capabilities, f modelFamily) bool { return !c.Tools && !c.SystemPrompt }, "Mistral 7B: no tools, no system prompt"},
		{"cohere.command-r-plus-v1:0", func(c llm.Capabilities, f modelFamily) bool { return c.Tools && c.StreamingTools && !c.ToolChoiceTool }, "Command R+ streams tool use"},
		{"deepseek.r1-v1:0", func(c llm.Capabilities, f modelFamily) bool { return c.Reasoning && !c.Tools }, "DeepSeek-R1 reasons, no tools"},
		{"openai.gpt-oss-20b-1:0", func(c llm.Capabilities, f modelFamily) bool { return c.Reasoning && c.Tools && !c.ToolChoiceTool }, "gpt-oss reasons"},
		{"amazon.titan-text-express-v1", func(c llm.Capabilities, f modelFamily) bool { return !c.Tools && !c.SystemPrompt }, "Titan: no tools, no system prompt"},
		{"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", func(c llm.Capabilities, f modelFamily) bool {
			return c == unknownModelCaps
		}, "an application inference profile gets the conservative defaults"},
		{"acme.frontier-9", func(c llm.Capabilities, f modelFamily) bool {
			return c.Tools && !c.ToolChoiceTool && !c.ToolChoiceRequired && !f.resultStatus && !c.NativeOutput && !c.Reasoning && !f.mixedResults
		}, "an unknown model: tools, no forced or named choice, no status, no native output"},
	}
	for _, tc := range tests {
		var fam modelFamily
		if f := lookupFamily(tc.id); f != nil {
			fam = *f
		}
		if got := CapabilitiesFor(tc.id); !tc.check(got, fam) {
			t.Errorf("CapabilitiesFor(%s) = %+v (family %+v), want %s", tc.id, got, fam, tc.reason)
		}
	}
}

// TestCapabilitiesNotBySubstring checks REQ-MODEL-ID: an id is matched on its provider and
// family prefix, never on a substring found elsewhere.
func TestCapabilitiesNotBySubstring(t *testing.T) {
	ids := []string{
		"acme.anthropic.claude-sonnet-4-5-20250929-v1:0", // a provider named elsewhere in the id
		"acme.my-claude-sonnet-4-5",
		"acme.llama-nova-mistral",
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/anthropic.claude-sonnet-4-5",
	}
	for _, id := range ids {
		if got := CapabilitiesFor(id); got != unknownModelCaps {
			t.Errorf("CapabilitiesFor(%s) = %+v, want the unknown-model defaults", id, got)
		}
	}
}

func TestCapabilitiesForOverrides(t *testing.T) {
	app := "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc"
	mine := llm.Capabilities{Tools: true, ToolChoiceTool: true, NativeOutput: true}
	base := llm.Capabilities{Tools: true, Reasoning: true}
	overrides := map[string]llm.Capabilities{
		app:                        mine,
		"amazon.nova-pro-v1:0":     base,
		"us.amazon.nova-lite-v1:0": mine,
	}
	tests := []struct {
		id     string
		want   llm.Capabilities
		reason string
	}{
		{app, mine, "keyed by the id as sent"},
		{"us.amazon.nova-pro-v1:0", base, "keyed by the base id of a profile"},
		{"arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", base, "keyed by the base id of an ARN"},
		{"us.amazon.nova-lite-v1:0", mine, "the id as sent wins"},
		{"eu.amazon.nova-lite-v1:0", CapabilitiesFor("amazon.nova-lite-v1:0"), "no override for this form: the table"},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, capabilitiesFor(tc.id, overrides)); diff != "" {
			t.Errorf("capabilitiesFor(%s, overrides) (-want +got), %s:\n%s", tc.id, tc.reason, diff)
		}
	}
}

// TestCapabilityTableOrder checks that no row is shadowed by an earlier, shorter prefix.
func TestCapabilityTableOrder(t *testing.T) {
	for i, a := range modelFamilies {
		for _, b := range modelFamilies[:i] {
			if len(b.prefix) <= len(a.prefix) && a.prefix[:len(b.prefix)] == b.prefix {
				t.Errorf("row %q comes after %q, which shadows it", a.prefix, b.prefix)
			}
		}
	}
}
