package bedrock

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/llmkit/llmkit/internal/jsonx"
	"github.com/llmkit/llmkit/llm"
)

// Blocks the SDK does not know (RULES.md RESP-OPAQUE). bedrockruntime v1.63.11 decodes
// an unknown member of a content list as nil or as a repeat of the member before, and
// cannot serialize one: the block's bytes are lost both ways. A Model keeps them: it
// reads the Converse answer's body as it passes (captureBody) and keeps each unknown
// block as an [llm.Opaque] part of provider "bedrock" with the block's JSON; sent back,
// the part travels as a placeholder text block that a build-step middleware
// (opaqueBody) replaces, in the serialized body, with the block's JSON as it came.

// captureBody returns an option for one Converse call that keeps the 200 answer's body
// in *dst as the SDK's deserializer reads it.
func captureBody(dst *[]byte) func(*bedrockruntime.Options) {
	return func(o *bedrockruntime.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("llmkitCaptureBody",
				func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					resp, ok := out.RawResponse.(*smithyhttp.Response)
					if err != nil || !ok || resp.StatusCode != 200 || resp.Body == nil {
						return out, md, err
					}
					var buf bytes.Buffer
					if resp.ContentLength > 0 {
						buf.Grow(int(resp.ContentLength) + bytes.MinRead) // one allocation for the body
					}
					_, rerr := buf.ReadFrom(resp.Body)
					resp.Body.Close()
					b := buf.Bytes()
					if rerr != nil {
						// The SDK's deserializer meets the same failure after the same
						// bytes, and reports it as it would have.
						resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(b), errReader{rerr}))
						return out, md, nil
					}
					*dst = b
					resp.Body = io.NopCloser(bytes.NewReader(b))
					return out, md, nil
				}), middleware.After)
		})
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// rawContent returns the JSON of each content block of a Converse answer's body, or nil.
func rawContent(body []byte) []json.RawMessage {
	var v struct {
		Output struct {
			Message struct {
				Content []json.RawMessage `json:"content"`
			} `json:"message"`
		} `json:"output"`
	}
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return v.Output.Message.Content
}

// opaqueBlock returns the Opaque part of an unknown block's JSON, ok false when raw is
// not one JSON object with one member.
func opaqueBlock(raw json.RawMessage) (llm.Opaque, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return llm.Opaque{}, false
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return llm.Opaque{}, false
	}
	for k := range m {
		return llm.Opaque{Provider: "bedrock", Kind: k, Raw: buf.Bytes()}, true
	}
	return llm.Opaque{}, false
}

// opaquePlaceholders collects the opaque blocks of a request: each goes to the wire as
// a text block holding a marker that names no user text (a random nonce per request).
type opaquePlaceholders struct {
	nonce  string
	blocks map[string][]byte // marker -> the block's JSON
}

func (o *opaquePlaceholders) add(raw []byte) (string, error) {
	compact, err := jsonx.Compact(raw)
	if err != nil {
		return "", fmt.Errorf("raw is not valid JSON: %v", err)
	}
	if o.nonce == "" {
		var b [12]byte
		rand.Read(b[:])
		o.nonce = hex.EncodeToString(b[:])
		o.blocks = map[string][]byte{}
	}
	marker := fmt.Sprintf("llmkit-opaque-%s-%d", o.nonce, len(o.blocks))
	o.blocks[marker] = compact
	return marker, nil
}

// opaqueBody returns an option for one call that puts the opaque blocks in the
// serialized body in place of their placeholder text blocks.
func opaqueBody(blocks map[string][]byte) func(*bedrockruntime.Options) {
	return func(o *bedrockruntime.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Build.Add(middleware.BuildMiddlewareFunc("llmkitOpaqueBlocks",
				func(ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler) (middleware.BuildOutput, middleware.Metadata, error) {
					req, ok := in.Request.(*smithyhttp.Request)
					if !ok || req.GetStream() == nil {
						return next.HandleBuild(ctx, in)
					}
					body, err := io.ReadAll(req.GetStream())
					if err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					for marker, raw := range blocks {
						ph := []byte(`{"text":"` + marker + `"}`)
						if !bytes.Contains(body, ph) {
							return middleware.BuildOutput{}, middleware.Metadata{}, fmt.Errorf("bedrock: opaque block placeholder %s not found in the request body", marker)
						}
						body = bytes.Replace(body, ph, raw, 1)
					}
					if in.Request, err = req.SetStream(bytes.NewReader(body)); err != nil {
						return middleware.BuildOutput{}, middleware.Metadata{}, err
					}
					return next.HandleBuild(ctx, in)
				}), middleware.Before)
		})
	}
}
