package bedrock

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/llmkit/llmkit/llm"
)

// opCountTokens names the CountTokens operation in errors.
const opCountTokens = "count-tokens"

// CountTokensAPI is the part of *bedrockruntime.Client that [Model.CountTokens] calls. A
// client given to [New] that does not implement it makes CountTokens fail with
// [llm.ErrInvalidRequest], before anything is sent.
type CountTokensAPI interface {
	CountTokens(ctx context.Context, params *bedrockruntime.CountTokensInput, optFns ...func(*bedrockruntime.Options)) (*bedrockruntime.CountTokensOutput, error)
}

var (
	_ CountTokensAPI   = (*bedrockruntime.Client)(nil)
	_ llm.TokenCounter = (*Model)(nil)
)

// CountTokens returns the number of input tokens Bedrock counts for req, with the
// CountTokens operation ([llm.TokenCounter]): the request is translated exactly as
// [Model.Generate] translates it (the same rules, repairs and errors, before anything is
// sent) and its messages, system prompt, tool configuration and additional model
// request fields are counted; nothing runs the model and nothing is billed. Bedrock
// answers for the models that support token counting (Claude models among them);
// others give an error in llm's categories.
func (m *Model) CountTokens(ctx context.Context, req *llm.Request) (int, error) {
	p, err := m.format(req, opCountTokens)
	if err != nil {
		return 0, err
	}
	ct, ok := m.client.(CountTokensAPI)
	if !ok {
		return 0, &llm.ProviderError{Provider: "bedrock", Op: opCountTokens, Category: llm.ErrInvalidRequest,
			Err: fmt.Errorf("bedrock: count-tokens: the client (%T) has no CountTokens method", m.client)}
	}
	out, err := ct.CountTokens(ctx, countTokensInput(p.input))
	if err != nil {
		return 0, mapError(opCountTokens, err, false)
	}
	if out.InputTokens == nil {
		return 0, &llm.ProviderError{Provider: "bedrock", Op: opCountTokens, Category: llm.ErrServer,
			Err: errors.New("bedrock: count-tokens: the answer has no inputTokens")}
	}
	return int(*out.InputTokens), nil
}

// countTokensInput is the CountTokens input for a Converse input: the members a
// ConverseTokensRequest has. Inference settings, guardrail, output configuration and
// the other settings of a call do not change the input's token count and have no place
// in it.
func countTokensInput(in *bedrockruntime.ConverseInput) *bedrockruntime.CountTokensInput {
	return &bedrockruntime.CountTokensInput{
		ModelId: in.ModelId,
		Input: &types.CountTokensInputMemberConverse{Value: types.ConverseTokensRequest{
			Messages:                     in.Messages,
			System:                       in.System,
			ToolConfig:                   in.ToolConfig,
			AdditionalModelRequestFields: in.AdditionalModelRequestFields,
		}},
	}
}
