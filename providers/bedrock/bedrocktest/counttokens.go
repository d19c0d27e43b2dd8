package bedrocktest

import (
	"bytes"
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
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	req := Request{Op: OpCountTokens, Model: r.PathValue("modelId"), Header: r.Header.Clone(), Body: body, RequestID: newRequestID()}
	var in struct {
		Input struct {
			Converse json.RawMessage `json:"converse"`
		} `json:"input"`
	}
	status, code, msg := 0, ErrorCode(""), ""
	switch {
	case err != nil || len(body) > maxBody:
		status, code, msg = 400, SerializationException, "bedrocktest: cannot read the request body"
	case json.Unmarshal(body, &in) != nil:
		status, code, msg = 400, SerializationException, "bedrocktest: request body is not JSON"
	default:
		if code, msg = checkAuth(r.Header); code != "" {
			status = code.Status()
		} else if len(in.Input.Converse) == 0 {
			status, code, msg = 400, ValidationException, "bedrocktest: CountTokens input holds no converse request"
		}
	}
	var n int
	if status == 0 {
		if n, err = CountTokens(in.Input.Converse); err != nil {
			status, code, msg = 400, SerializationException, "bedrocktest: "+err.Error()
		}
	}
	req.Status = 200
	if status != 0 {
		req.Status = status
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		req.JSON = v
	}
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
