package bedrockbatch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go"
	smithyauth "github.com/aws/smithy-go/auth"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/llmkit/llmkit/providers/bedrock"
)

// codec turns a Converse input into the JSON body Bedrock's Converse operation takes, and
// a Converse response body back into the SDK's output, with the SDK's own serializers:
// a bedrockruntime client whose HTTP client never leaves the process. The SDK exposes its
// REST-JSON serializers only through a call, and a hand-written copy would drift from
// the wire form the SDK (and so Model.Generate) sends.
type codec struct {
	client *bedrockruntime.Client
}

// codecKey carries one call's exchange to the in-process HTTP client.
type codecKey struct{}

// exchange is one codec call: encode captures the request body, decode serves body as a
// 200 response.
type exchange struct {
	captured []byte
	body     []byte
	encode   bool
}

// errCaptured ends an encoding call once its body is captured.
var errCaptured = errors.New("bedrockbatch: request captured")

// codecHTTP is the in-process HTTP client of the codec.
type codecHTTP struct{}

func (codecHTTP) Do(req *http.Request) (*http.Response, error) {
	ex, _ := req.Context().Value(codecKey{}).(*exchange)
	if ex == nil {
		return nil, errors.New("bedrockbatch: codec called without an exchange")
	}
	if ex.encode {
		if req.Body == nil {
			return nil, errors.New("bedrockbatch: converse request without a body")
		}
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		ex.captured = b
		return nil, errCaptured
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader(ex.body)),
		ContentLength: int64(len(ex.body)),
		Request:       req,
	}, nil
}

func newCodec() *codec {
	client := bedrockruntime.New(bedrockruntime.Options{
		Region:             "us-east-1",
		BaseEndpoint:       aws.String("http://codec.invalid"),
		Retryer:            aws.NopRetryer{},
		HTTPClient:         codecHTTP{},
		AuthSchemeResolver: noAuth{},
	})
	return &codec{client: client}
}

// encode returns the Converse body of in; the model id goes in the path, not the body
// (a job names its model).
func (c *codec) encode(ctx context.Context, in *bedrockruntime.ConverseInput) ([]byte, error) {
	ex := &exchange{encode: true}
	_, err := c.client.Converse(context.WithValue(ctx, codecKey{}, ex), in)
	if ex.captured == nil {
		if err == nil {
			err = errors.New("no body")
		}
		return nil, fmt.Errorf("bedrockbatch: encode converse body: %w", err)
	}
	return ex.captured, nil
}

// decode parses a Converse response body (a record's modelOutput).
func (c *codec) decode(ctx context.Context, model string, body []byte) (*bedrockruntime.ConverseOutput, error) {
	ex := &exchange{body: body}
	out, err := c.client.Converse(context.WithValue(ctx, codecKey{}, ex), &bedrockruntime.ConverseInput{ModelId: aws.String(model)})
	if err != nil {
		return nil, fmt.Errorf("bedrockbatch: decode model output: %w", err)
	}
	return out, nil
}

// recordError maps a record's error (an HTTP status and a message, as Bedrock writes them
// in the output) with the error switch of package bedrock, as if a Converse call had
// failed with them.
func recordError(status int, message string) error {
	err := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Message: message},
	}}
	return mapError(opRecord, err)
}

// mapError maps err, an error of the SDK (of a record, the control plane or S3), with
// the error switch of package bedrock and names op in it, so that callers test it as
// they test Converse errors.
func mapError(op string, err error) error { return bedrock.MapError(op, err) }

// opRecord names a record's outcome in errors.
const opRecord = "batch-record"

// noAuth has the codec's calls go unsigned: the request never leaves the process, and
// signing it would hash every record's body for nothing.
type noAuth struct{}

func (noAuth) ResolveAuthSchemes(context.Context, *bedrockruntime.AuthResolverParameters) ([]*smithyauth.Option, error) {
	return []*smithyauth.Option{{SchemeID: smithyauth.SchemeIDAnonymous}}, nil
}
