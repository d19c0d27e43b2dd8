package bench

import (
	"github.com/llmkit/llmkit/bench/internal/contender"
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
}
