package bedrock

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// pendingPart is a streamed block that has no neutral delta event — a server-side tool's
// result (toolResult deltas) or an image (image deltas) — assembled by the Model's
// stream and delivered as one [llm.BlockPart] at its contentBlockStop, so that the
// streamed answer equals the non-streamed one (RULES.md STREAM-BLOCKS).
type pendingPart struct {
	index int
	part  llm.Part // an llm.ToolResult or llm.Image being filled
}

// pending returns the pending block of index i, or nil.
func (t *streamTranslator) pending(i *int32) *pendingPart {
	if i == nil {
		return nil
	}
	for k := range t.parts {
		if t.parts[k].index == int(*i) {
			return &t.parts[k]
		}
	}
	return nil
}

// add folds one delta into the pending block.
func (p *pendingPart) add(delta types.ContentBlockDelta) error {
	switch v := p.part.(type) {
	case llm.ToolResult:
		d, ok := delta.(*types.ContentBlockDeltaMemberToolResult)
		if !ok {
			return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: %T for a tool result block", p.index, delta)
		}
		for _, x := range d.Value {
			switch c := x.(type) {
			case *types.ToolResultBlockDeltaMemberText:
				v.Content = appendText(v.Content, c.Value)
			case *types.ToolResultBlockDeltaMemberJson:
				raw, err := responseDocJSON(c.Value)
				if err != nil {
					return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: tool result json: %w", p.index, err)
				}
				v.Content = append(v.Content, llm.Text{Text: string(raw)})
			default:
				return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: unknown tool result delta %T", p.index, x)
			}
		}
		p.part = v
	case llm.Image:
		d, ok := delta.(*types.ContentBlockDeltaMemberImage)
		if !ok {
			return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: %T for an image block", p.index, delta)
		}
		if d.Value.Error != nil {
			return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: image error: %s", p.index, outStr(d.Value.Error.Message))
		}
		switch s := d.Value.Source.(type) {
		case *types.ImageSourceMemberBytes:
			v.Data = append(v.Data, s.Value...)
		case *types.ImageSourceMemberS3Location:
			v.URI = outStr(s.Value.Uri)
		case nil:
		default:
			return fmt.Errorf("bedrock: parse stream chunk: contentBlockDelta %d: unknown image source %T", p.index, s)
		}
		p.part = v
	}
	return nil
}

// appendText appends s to the last text of content, or as a new text part.
func appendText(content []llm.Part, s string) []llm.Part {
	if n := len(content); n > 0 {
		if t, ok := content[n-1].(llm.Text); ok {
			content[n-1] = llm.Text{Text: t.Text + s}
			return content
		}
	}
	return append(content, llm.Text{Text: s})
}
