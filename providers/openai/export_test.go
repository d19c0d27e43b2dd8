package openai

import "github.com/llmkit/llmkit/llm"

// ModelBody is the body a Model passes to the client's Post for req (as a []byte, the
// JSON it encodes itself; ok false when it lets openai-go encode the parameters).
func ModelBody(req *llm.Request, stream bool) (body []byte, ok bool, err error) {
	p, err := formatRequest(req, modelCaps(req), stream)
	if err != nil {
		return nil, false, err
	}
	body, ok = requestBody(&p.body, stream)
	return body, ok, nil
}
