// Command oaisim is the Chat Completions simulator of the OpenAI benchmarks (package
// bench/oai): it serves the replies of the bench workloads (bench/internal/workload) in
// OpenAI's shapes — a JSON completion, or server-sent events with every text delta and
// tool-call fragment of the workload as its own chunk — encoded once at start, so that
// it costs the client under test nothing it would not pay against the real service. It
// runs in its own process, so that the benchmarks' B/op and allocs/op count only the
// client. It prints {"Addr": "127.0.0.1:PORT"} on stdout and serves until stdin closes.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/llmkit/llmkit/bench/internal/workload"
)

type prepared struct {
	marker string
	json   []byte // the reply as a completion
	sse    []byte // the reply as a stream
}

func main() {
	var ws []prepared
	for _, w := range []*workload.Workload{workload.Converse, workload.Stream1k, workload.StreamTool} {
		ws = append(ws, prepared{marker: w.Marker(), json: completion(&w.Replies[0]), sse: stream(&w.Replies[0])})
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		if r.Header.Get("Authorization") == "" {
			http.Error(w, `{"error":{"message":"no API key","type":"invalid_request_error","code":"invalid_api_key"}}`, http.StatusUnauthorized)
			return
		}
		var head struct {
			Stream bool `json:"stream"`
		}
		_ = json.Unmarshal(body, &head)
		for _, p := range ws {
			if !bytes.Contains(body, []byte(p.marker)) {
				continue
			}
			w.Header().Set("x-request-id", "req_bench")
			if head.Stream {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write(p.sse)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(p.json)
			return
		}
		http.Error(w, `{"error":{"message":"no workload marker in the request","type":"invalid_request_error"}}`, http.StatusBadRequest)
	})}
	go func() { _ = srv.Serve(ln) }()
	fmt.Printf("{\"Addr\": %q}\n", ln.Addr().String())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
}

func finish(r *workload.Reply) string {
	if r.StopReason == "tool_use" {
		return "tool_calls"
	}
	return "stop"
}

func usage(r *workload.Reply) map[string]any {
	return map[string]any{"prompt_tokens": r.InputTokens, "completion_tokens": r.OutputTokens,
		"total_tokens": r.InputTokens + r.OutputTokens, "prompt_tokens_details": map[string]any{"cached_tokens": 0}}
}

func completion(r *workload.Reply) []byte {
	a := r.Answer()
	msg := map[string]any{"role": "assistant", "content": a.Text, "refusal": nil}
	var calls []any
	for _, c := range a.ToolCalls {
		calls = append(calls, map[string]any{"id": c.ID, "type": "function", "function": map[string]any{"name": c.Name, "arguments": string(c.Input)}})
	}
	if calls != nil {
		msg["tool_calls"] = calls
	}
	b, _ := json.Marshal(map[string]any{
		"id": "chatcmpl-bench", "object": "chat.completion", "created": 1762105819, "model": "gpt-4o-2024-08-06",
		"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish(r), "logprobs": nil}},
		"usage":   usage(r), "system_fingerprint": "fp_bench",
	})
	return b
}

func stream(r *workload.Reply) []byte {
	var sb strings.Builder
	put := func(choices []any, u any) {
		m := map[string]any{"id": "chatcmpl-bench", "object": "chat.completion.chunk", "created": 1762105819,
			"model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_bench", "choices": choices, "usage": u}
		b, _ := json.Marshal(m)
		sb.WriteString("data: ")
		sb.Write(b)
		sb.WriteString("\n\n")
	}
	delta := func(d map[string]any, fin any) {
		put([]any{map[string]any{"index": 0, "delta": d, "logprobs": nil, "finish_reason": fin}}, nil)
	}
	delta(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil)
	n := 0
	for _, b := range r.Blocks {
		if b.Call == nil {
			for _, d := range b.Deltas {
				delta(map[string]any{"content": d}, nil)
			}
			continue
		}
		delta(map[string]any{"tool_calls": []any{map[string]any{"index": n, "id": b.Call.ID, "type": "function",
			"function": map[string]any{"name": b.Call.Name, "arguments": ""}}}}, nil)
		for _, f := range b.Fragments {
			delta(map[string]any{"tool_calls": []any{map[string]any{"index": n, "function": map[string]any{"arguments": f}}}}, nil)
		}
		n++
	}
	delta(map[string]any{}, finish(r))
	put([]any{}, usage(r))
	sb.WriteString("data: [DONE]\n\n")
	return []byte(sb.String())
}
