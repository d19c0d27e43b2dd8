// Package all lists the contenders, in the order the results show them: the floor, then
// llmkit, then the plain SDK client and llmkit on the SDK's stream reader, then the peers, then the control (the floor through the HTTPS proxy).
package all

import (
	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/anthropic"
	"github.com/llmkit/llmkit/bench/internal/contender/bifrost"
	"github.com/llmkit/llmkit/bench/internal/contender/eino"
	"github.com/llmkit/llmkit/bench/internal/contender/langchaingo"
	"github.com/llmkit/llmkit/bench/internal/contender/llmkit"
	"github.com/llmkit/llmkit/bench/internal/contender/raw"
)

// Entry is a contender the benchmarks run.
type Entry struct {
	Info contender.Info
	New  func(url string) (contender.Contender, error)
	// Ours marks the contenders that must answer correctly (the floor and llmkit); a
	// peer that answers wrongly is reported, not failed.
	Ours bool
	// Control marks a contender that only helps read the others' figures.
	Control bool
}

// Contenders are all the contenders.
var Contenders = []Entry{
	{Info: raw.Info, New: raw.New, Ours: true},
	{Info: llmkit.Info, New: llmkit.New, Ours: true},
	{Info: raw.InfoPlain, New: raw.NewPlain, Ours: true},
	{Info: llmkit.InfoSDK, New: llmkit.NewSDK, Ours: true},
	{Info: langchaingo.Info, New: langchaingo.New},
	{Info: bifrost.Info, New: bifrost.New},
	{Info: anthropic.Info, New: anthropic.New},
	{Info: eino.Info, New: eino.New},
	{Info: raw.InfoTLS, New: raw.NewTLS, Ours: true, Control: true},
}
