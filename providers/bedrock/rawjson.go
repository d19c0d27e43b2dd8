package bedrock

import (
	"bytes"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
)

// JSON values.

// rawDocument is a document the SDK sends exactly as given: key order and number
// literals kept.
//
// The SDK's own documents cannot carry raw JSON: given to document.NewLazyDocument, a
// json.RawMessage is encoded as an array of bytes and a json.Number as a string, and map
// keys come out sorted. But bedrockruntime (v1.63.11) writes every document member of a
// request as a smithydocument.Opaque (api_op_Converse.go, types/types.go), and smithy-go's
// JSON shape serializer writes an Opaque whose value is a smithydocument.Marshaler as the
// bytes of MarshalSmithyDocument, unchanged (writeOpaqueDocument in
// transport/http/protocol/internal/json/shape_serializer.go). document.Interface is sealed
// by an unexported method; a struct embedding an Interface value gets that method
// promoted, and its own MarshalSmithyDocument and UnmarshalSmithyDocument take precedence
// over the embedded ones.
type rawDocument struct {
	document.Interface        // satisfies the SDK's sealed interface; never used otherwise
	json               []byte // compact, valid JSON
}

// sealDocument is the value every rawDocument embeds. Only its unexported marker method is
// reachable through a rawDocument; it is not nil so that the SDK's validity check
// (internal/document.IsInterface, which calls that method) holds. It is never changed.
var sealDocument = document.NewLazyDocument(nil)

// newRawDocument returns compact, valid JSON as a document the SDK sends as it is.
func newRawDocument(compact []byte) document.Interface {
	return rawDocument{Interface: sealDocument, json: compact}
}

// MarshalSmithyDocument returns the JSON, which the SDK writes into the request body as it
// is. The caller must not modify it.
func (d rawDocument) MarshalSmithyDocument() ([]byte, error) { return d.json, nil }

// UnmarshalSmithyDocument decodes the JSON into v with encoding/json; numbers decoded into
// an interface value become json.Number, so that none is rounded.
func (d rawDocument) UnmarshalSmithyDocument(v any) error {
	dec := json.NewDecoder(bytes.NewReader(d.json))
	dec.UseNumber()
	return dec.Decode(v)
}
