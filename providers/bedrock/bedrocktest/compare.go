package bedrocktest

import "github.com/llmkit/llmkit/internal/simtest"

// Mismatch is one difference between a request and the recorded one: the fixture's
// name, the JSON path (e.g. $.messages[0].content[1].text, or "model" or "operation"),
// and the recorded and sent values as compact JSON or "(absent)". Its String form is
// "fixture: path: want W, got G".
type Mismatch = simtest.Mismatch

// Allow declares an intended difference between a request and the recorded one, at the
// JSON path Path, for the reason Reason (required; [Server.Check] reports an Allow
// without one). Paths look like $.toolConfig.toolChoice or $.messages[*].content[0];
// [*] and .* match any index or key. The paths "model" and "operation" stand for the
// request's model id and operation.
//
// With Want and Absent unset, any value or absence at Path (and below it) is accepted.
// With Want set, the request must hold exactly that JSON value there instead of the
// recorded one; with Absent set, the request must not have Path.
type Allow = simtest.Allow

// CompareJSON compares two JSON documents semantically: object member order and number
// spelling (0 and 0.0) do not matter. It returns one [Mismatch] per differing leaf, or
// per value present on one side only, in document order, apart from the intended
// differences in allow. It fails on invalid JSON or an unparsable Allow path.
func CompareJSON(want, got []byte, allow []Allow) ([]Mismatch, error) {
	return simtest.CompareJSON(want, got, allow)
}
