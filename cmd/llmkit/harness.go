package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
	"github.com/llmkit/llmkit/providers/openai"
	"github.com/llmkit/llmkit/providers/openai/openaitest"
)

// replaySet is the harnesses of "conformance --replay", with what closes their
// simulators and checks, afterwards, that every request matched its recording.
type replaySet struct {
	harnesses []*conformance.Harness
	closers   []func()
	checks    []func() error
}

// replayHarnesses returns a replay harness per model of models (PROVIDER:ID or a bare
// Bedrock id), or per recorded model of both providers when models is empty: Bedrock's
// first, then Chat Completions' (named openai:ID). dir, when set, holds Bedrock
// recordings to replay instead of those shipped with llmkit.
func replayHarnesses(models []string, dir string) (*replaySet, error) {
	bfs, where := bedrocktest.Fixtures(), "the Bedrock recordings shipped with llmkit"
	if dir != "" {
		bfs, where = os.DirFS(dir), dir
	}
	brecs, err := bedrocktest.LoadRecordings(bfs)
	if err != nil {
		return &replaySet{}, fmt.Errorf("loading %s: %v", where, err)
	}
	orecs, err := openaitest.LoadRecordings(openaitest.Fixtures)
	if err != nil {
		return &replaySet{}, fmt.Errorf("loading the Chat Completions recordings: %v", err)
	}
	if len(models) == 0 {
		models = brecs.Models()
		if dir == "" {
			for _, id := range orecs.Models() {
				models = append(models, providerOpenAI+":"+id)
			}
		}
	}
	if len(models) == 0 {
		return &replaySet{}, fmt.Errorf("no recording (*.json) found in %s", where)
	}
	rs := &replaySet{}
	for _, m := range models {
		provider, id := splitModel(m)
		if provider == providerOpenAI {
			if !slices.Contains(orecs.Models(), id) {
				return rs, fmt.Errorf("--model %s: no Chat Completions recording of %s; recorded: %s", m, id, strings.Join(orecs.Models(), ", "))
			}
			rp := openaitest.NewReplayer(orecs, id, openaitest.ConformanceAllow())
			srv := openaitest.NewServer()
			srv.SetFallback(rp.Reply())
			h := openaitest.ReplayHarness(rp, openai.New(srv.Client(), nil))
			h.Name = providerOpenAI + ":" + id
			if service, _, _ := strings.Cut(orecs.Dir(id), "_"); service != "" && service != providerOpenAI {
				h.Name += " (" + strings.ToUpper(service[:1]) + service[1:] + ")" // served by Groq…
			}
			rs.add(h, srv.Close, srv.Check, rp.Check)
			continue
		}
		if !slices.Contains(brecs.Models(), id) {
			return rs, fmt.Errorf("--model %s: %s hold no recording of it; recorded: %s", m, where, strings.Join(brecs.Models(), ", "))
		}
		rp := bedrocktest.NewReplayer(brecs, id, bedrocktest.ConformanceAllow())
		srv := bedrocktest.NewServer(&bedrocktest.Options{Default: rp.Reply()})
		rs.add(bedrocktest.ReplayHarness(rp, bedrock.New(srv.Client(nil), nil)), srv.Close, srv.Check, rp.Check)
	}
	return rs, nil
}

func (rs *replaySet) add(h *conformance.Harness, closeFn func(), checks ...func() error) {
	rs.harnesses = append(rs.harnesses, h)
	rs.closers = append(rs.closers, closeFn)
	rs.checks = append(rs.checks, checks...)
}

// simHarness returns a scripted harness for model on a fresh simulator of its
// provider, and what closes it.
func simHarness(model string) (*conformance.Harness, func()) {
	provider, id := splitModel(model)
	if provider == providerOpenAI {
		srv := openaitest.NewServer()
		h := openaitest.ScriptedHarness(srv, openai.New(srv.Client(), nil), id)
		h.Name = model
		return h, srv.Close
	}
	srv := bedrocktest.NewServer(nil)
	return bedrocktest.ScriptedHarness(srv, bedrock.New(srv.Client(nil), nil), id), srv.Close
}
