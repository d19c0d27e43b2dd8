package bedrocktest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"net/http"
	"unicode/utf8"
)

// CountTokens is the count the server answers a CountTokens request with: one token
// per four bytes of UTF-8 text (rounded up) in every string of the request's input —
// message and system text, tool names, descriptions and schemas, tool inputs and
// results — and at least 1. It is an estimate with Bedrock's shape, deterministic so
// that tests can state it; body is the CountTokens request body.
func CountTokens(body []byte) (int, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		if s, ok := tok.(string); ok && utf8.ValidString(s) {
			n += len(s)
		}
	}
	return max(1, (n+3)/4), nil
}

// handleCountTokens answers POST /model/{modelId}/count-tokens: {"inputTokens":N} for a
// request whose input holds a converse member, an error in Bedrock's shape otherwise.
func (s *Server) handleCountTokens(w http.ResponseWriter, r *http.Request) {
	req, status, code, msg := receive(r, OpCountTokens)
	var n int
	if status == 0 {
		var in struct {
			Input struct {
				Converse json.RawMessage `json:"converse"`
			} `json:"input"`
		}
		switch {
		case json.Unmarshal(req.Body, &in) != nil:
			status, code, msg = 400, SerializationException, "bedrocktest: request body is not a JSON object"
		case len(in.Input.Converse) == 0:
			status, code, msg = 400, ValidationException, "bedrocktest: CountTokens input holds no converse request"
		default:
			var err error
			if n, err = CountTokens(in.Input.Converse); err != nil {
				status, code, msg = 400, SerializationException, "bedrocktest: "+err.Error()
			}
		}
	}
	req.RequestID = newRequestID()
	req.Status = cmp.Or(status, 200)
	s.mu.Lock()
	s.seq++
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if status != 0 {
		writeError(w, status, code, req.RequestID, msg)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Requestid", req.RequestID)
	json.NewEncoder(w).Encode(map[string]int{"inputTokens": n})
}
