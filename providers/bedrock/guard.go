package bedrock

import (
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// Guard content is Bedrock's alone: text or an image that the request's guardrail
// (Extra.Guardrail) evaluates, in a user message or in the system prompt. It travels
// through the neutral model as an [llm.Opaque] part of provider "bedrock" and kind
// "guardContent", which [GuardText] and [GuardImage] build and which other providers
// reject; a guardContent block in an answer comes back the same way (RULES.md
// REQ-GUARD-CONTENT).

// GuardQualifier says what a guarded text is to a contextual grounding check.
type GuardQualifier string

// Guard qualifiers, as Bedrock names them.
const (
	GuardGroundingSource GuardQualifier = "grounding_source" // the source the answer must be grounded in
	GuardQuery           GuardQualifier = "query"            // the user's question
	GuardContent         GuardQualifier = "guard_content"    // content to evaluate (the default)
)

// guardKind is the Kind of the Opaque parts that carry guard content.
const guardKind = "guardContent"

// guardJSON is the JSON form of a guardContent block, as in the Converse API.
type guardJSON struct {
	GuardContent struct {
		Text  *guardTextJSON  `json:"text,omitempty"`
		Image *guardImageJSON `json:"image,omitempty"`
	} `json:"guardContent"`
}

type guardTextJSON struct {
	Text       string           `json:"text"`
	Qualifiers []GuardQualifier `json:"qualifiers,omitempty"`
}

type guardImageJSON struct {
	Format string `json:"format"`
	Source struct {
		Bytes []byte `json:"bytes"`
	} `json:"source"`
}

// GuardText returns a part holding text for the request's guardrail to evaluate, with
// its qualifiers; put it in a user message or in a system message.
func GuardText(text string, qualifiers ...GuardQualifier) llm.Part {
	var g guardJSON
	g.GuardContent.Text = &guardTextJSON{Text: text, Qualifiers: qualifiers}
	return guardPart(g)
}

// GuardImage returns a part holding an image (format png or jpeg) for the request's
// guardrail to evaluate; put it in a user message.
func GuardImage(format string, data []byte) llm.Part {
	var g guardJSON
	img := &guardImageJSON{Format: format}
	img.Source.Bytes = data
	g.GuardContent.Image = img
	return guardPart(g)
}

func guardPart(g guardJSON) llm.Part {
	raw, _ := json.Marshal(g) // plain strings, slices and bytes: cannot fail
	return llm.Opaque{Provider: "bedrock", Kind: guardKind, Raw: raw}
}

// parseGuard decodes a guardContent Opaque part.
func parseGuard(mi, pi int, v llm.Opaque) (guardJSON, error) {
	var g guardJSON
	if err := json.Unmarshal(v.Raw, &g); err != nil {
		return g, partError(mi, pi, "guard content: %v", err)
	}
	switch gc := g.GuardContent; {
	case gc.Text != nil && gc.Image != nil, gc.Text == nil && gc.Image == nil:
		return g, partError(mi, pi, "guard content holds one text or one image")
	case gc.Text != nil:
		for _, q := range gc.Text.Qualifiers {
			switch q {
			case GuardGroundingSource, GuardQuery, GuardContent:
			default:
				return g, partError(mi, pi, "guard content qualifier %q is not grounding_source, query or guard_content", q)
			}
		}
	case gc.Image.Format != "png" && gc.Image.Format != "jpeg":
		return g, partError(mi, pi, "guard image format %q: Bedrock takes png or jpeg", gc.Image.Format)
	case len(gc.Image.Source.Bytes) == 0:
		return g, partError(mi, pi, "guard image has no bytes")
	}
	return g, nil
}

// guardBlock converts a guardContent Opaque part of a message.
func guardBlock(mi, pi int, v llm.Opaque) (types.GuardrailConverseContentBlock, error) {
	g, err := parseGuard(mi, pi, v)
	if err != nil {
		return nil, err
	}
	if t := g.GuardContent.Text; t != nil {
		qs := make([]types.GuardrailConverseContentQualifier, len(t.Qualifiers))
		for i, q := range t.Qualifiers {
			qs[i] = types.GuardrailConverseContentQualifier(q)
		}
		return &types.GuardrailConverseContentBlockMemberText{Value: types.GuardrailConverseTextBlock{Text: aws.String(t.Text), Qualifiers: qs}}, nil
	}
	img := g.GuardContent.Image
	return &types.GuardrailConverseContentBlockMemberImage{Value: types.GuardrailConverseImageBlock{
		Format: types.GuardrailConverseImageFormat(img.Format),
		Source: &types.GuardrailConverseImageSourceMemberBytes{Value: img.Source.Bytes},
	}}, nil
}

// systemGuardBlock converts a guardContent Opaque part of a system message: text only.
func systemGuardBlock(mi, pi int, v llm.Opaque) (types.SystemContentBlock, error) {
	b, err := guardBlock(mi, pi, v)
	if err != nil {
		return nil, err
	}
	t, ok := b.(*types.GuardrailConverseContentBlockMemberText)
	if !ok {
		return nil, partError(mi, pi, "guard content in the system prompt is text only on Bedrock")
	}
	return &types.SystemContentBlockMemberGuardContent{Value: &types.GuardrailConverseContentBlockMemberText{Value: t.Value}}, nil
}

// parseGuardBlock turns a guardContent block of an answer into the Opaque part that
// sends it back, with a warning.
func parseGuardBlock(i int, b types.GuardrailConverseContentBlock) (llm.Part, []llm.Warning) {
	var g guardJSON
	switch v := b.(type) {
	case *types.GuardrailConverseContentBlockMemberText:
		t := &guardTextJSON{Text: outStr(v.Value.Text)}
		for _, q := range v.Value.Qualifiers {
			t.Qualifiers = append(t.Qualifiers, GuardQualifier(q))
		}
		g.GuardContent.Text = t
	case *types.GuardrailConverseContentBlockMemberImage:
		img := &guardImageJSON{Format: string(v.Value.Format)}
		if s, ok := v.Value.Source.(*types.GuardrailConverseImageSourceMemberBytes); ok {
			img.Source.Bytes = s.Value
		}
		g.GuardContent.Image = img
	case nil:
		return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "empty guardContent block skipped")}
	default:
		return nil, []llm.Warning{llm.WarnBlockf(llm.WarningSkipped, i, "guardContent member %T skipped", b)}
	}
	return guardPart(g), []llm.Warning{llm.WarnBlockf(llm.WarningOpaque, i, "guardContent block kept as an opaque Bedrock part")}
}
