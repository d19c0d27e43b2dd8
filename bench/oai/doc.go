// Package oai holds the OpenAI Chat Completions benchmarks: llmkit's openai provider
// against the raw openai-go client (the floor), langchaingo's llms/openai (a peer), and
// hand-written net/http + encoding/json (what openai-go itself is measured against), on
// the same simulator traffic (bench/cmd/oaisim, in its own process). Run them with
//
//	go test -run TestAnswers -bench . -benchmem -count 8 ./oai
//
// from bench/.
package oai
