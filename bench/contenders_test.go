package bench

import (
	"github.com/llmkit/llmkit/bench/internal/contender"
	"github.com/llmkit/llmkit/bench/internal/contender/anthropic"
	"github.com/llmkit/llmkit/bench/internal/contender/bifrost"
	"github.com/llmkit/llmkit/bench/internal/contender/eino"
	"github.com/llmkit/llmkit/bench/internal/contender/langchaingo"
	"github.com/llmkit/llmkit/bench/internal/contender/raw"
)

// entry is a contender the benchmarks run. Ours must answer correctly; a peer that
// answers wrongly is reported, not failed.
type entry struct {
	info contender.Info
	new  func(url string) (contender.Contender, error)
	ours bool
}

var contenders = []entry{
	{info: raw.Info, new: raw.New, ours: true},
	{info: langchaingo.Info, new: langchaingo.New},
	{info: bifrost.Info, new: bifrost.New},
	{info: anthropic.Info, new: anthropic.New},
	{info: eino.Info, new: eino.New},
}
