package bedrocktest

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrorCode is a Bedrock Runtime error code, as sent in the X-Amzn-ErrorType header of an
// HTTP error and, with its first letter lowered, in the :exception-type header of an
// exception frame.
type ErrorCode string

// The error codes of the Bedrock Runtime API. The SDK decodes each into the
// *types.<Code> error of package bedrockruntime/types.
const (
	AccessDeniedException         ErrorCode = "AccessDeniedException"         // 403
	ConflictException             ErrorCode = "ConflictException"             // 400
	InternalServerException       ErrorCode = "InternalServerException"       // 500
	ModelErrorException           ErrorCode = "ModelErrorException"           // 424
	ModelNotReadyException        ErrorCode = "ModelNotReadyException"        // 429
	ModelStreamErrorException     ErrorCode = "ModelStreamErrorException"     // 424
	ModelTimeoutException         ErrorCode = "ModelTimeoutException"         // 408
	ResourceNotFoundException     ErrorCode = "ResourceNotFoundException"     // 404
	ServiceQuotaExceededException ErrorCode = "ServiceQuotaExceededException" // 400
	ServiceUnavailableException   ErrorCode = "ServiceUnavailableException"   // 503
	ThrottlingException           ErrorCode = "ThrottlingException"           // 429
	ValidationException           ErrorCode = "ValidationException"           // 400

	// Codes the front end returns before a request reaches Bedrock; the SDK knows no type
	// for them and returns a *smithy.GenericAPIError.
	MissingAuthenticationTokenException ErrorCode = "MissingAuthenticationTokenException" // 403
	InvalidSignatureException           ErrorCode = "InvalidSignatureException"           // 403
	UnknownOperationException           ErrorCode = "UnknownOperationException"           // 404
	SerializationException              ErrorCode = "SerializationException"              // 400
)

// Status returns the HTTP status Bedrock answers code with: 400 for a client error it does
// not know, 500 for an unknown code ending in "ServerException".
func (c ErrorCode) Status() int {
	switch c {
	case AccessDeniedException, MissingAuthenticationTokenException, InvalidSignatureException:
		return 403
	case InternalServerException:
		return 500
	case ModelErrorException, ModelStreamErrorException:
		return 424
	case ModelNotReadyException, ThrottlingException:
		return 429
	case ModelTimeoutException:
		return 408
	case ResourceNotFoundException, UnknownOperationException:
		return 404
	case ServiceUnavailableException:
		return 503
	}
	if strings.HasSuffix(string(c), "ServerException") {
		return 500
	}
	return 400
}

// exceptionType returns the :exception-type header value for c: the event-stream member
// name, its first letter lowered (throttlingException).
func (c ErrorCode) exceptionType() string {
	r, n := utf8.DecodeRuneInString(string(c))
	if n == 0 {
		return ""
	}
	return string(unicode.ToLower(r)) + string(c)[n:]
}

// errorTypeHeader is the X-Amzn-ErrorType value Bedrock sends for c.
func (c ErrorCode) errorTypeHeader() string {
	return string(c) + ":http://internal.amazon.com/coral/com.amazon.bedrock/"
}
