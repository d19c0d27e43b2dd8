package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

const conformanceSynopsis = `llmkit conformance --model ID [--model ID]... [--region REGION] [--profile PROFILE] [--endpoint URL] [--record DIR] [--run REGEXP] [--format md|json]
       llmkit conformance --replay [--fixtures DIR] [--model ID]... [--run REGEXP] [--format md|json]
       llmkit conformance --sim --model ID [--model ID]... [--run REGEXP] [--format md|json]`

const conformanceAbout = `
Runs llmkit's conformance suite (package conformance) and prints the matrix:
one row per scenario, one column per model, each cell pass, fail or skip with
the reason (a scenario is skipped when the model lacks what it needs, by
llmkit's capability table). A model is PROVIDER:ID (openai:gpt-4o,
bedrock:us.anthropic.…) or a bare Bedrock id.

Modes:
  live (default)  against real Amazon Bedrock (AWS default credential chain) or
                  a Chat Completions service (openai:ID, OPENAI_API_KEY), or the
                  endpoint given with --endpoint: the
                  suite's scenarios, whose live checks assert what a real model
                  reliably does, then the recorded scenarios ("recorded/…"),
                  which send the requests of llmkit's recordings: a few dozen
                  calls per model. --record DIR saves the exchanges of
                  the recorded scenarios that pass as fixtures under DIR, one
                  directory per model, to replay later with --replay --fixtures DIR.
  --replay        no AWS, no key: the recorded scenarios, answered by the
                  recordings shipped with llmkit — Bedrock's, and OpenAI's and
                  Groq's as openai:ID — (or Bedrock ones under --fixtures DIR)
                  through the simulators and the real SDK clients; each request is
                  compared with the recorded one. --model picks recorded models
                  (default: all of them). This makes conformance/testdata/report.md.
  --sim           no AWS, no key: the whole suite on the provider's simulator, which plays the
                  answers each scenario scripts; shows what llmkit does with each
                  model id's capabilities.

Exits with 1 when a scenario fails or, with --replay, a request differs from
its recording.`

// modelList is a flag that may be repeated and takes comma-separated values.
type modelList []string

func (m *modelList) String() string { return strings.Join(*m, ",") }

func (m *modelList) Set(v string) error {
	for _, id := range strings.Split(v, ",") {
		if id = strings.TrimSpace(id); id != "" {
			*m = append(*m, id)
		}
	}
	return nil
}

func runConformance(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "conformance", conformanceSynopsis, conformanceAbout)
	var aws awsFlags
	var models modelList
	fs.Var(&models, "model", "model `ID` to test; repeat it or separate ids with commas")
	replay := fs.Bool("replay", false, "replay recorded exchanges instead of calling a service (no AWS or key needed)")
	sim := fs.Bool("sim", false, "run the suite on the simulators with scripted answers (no AWS or key needed)")
	fixtures := fs.String("fixtures", "", "with --replay, the recordings under `DIR` instead of those shipped with llmkit")
	record := fs.String("record", "", "live: save the recorded scenarios' exchanges as fixtures under `DIR`")
	run := fs.String("run", "", "run only the scenarios whose names match `REGEXP`")
	format := fs.String("format", "md", "output `md|json`: a Markdown table, or the report as JSON")
	aws.register(fs)
	if code, ok := parseFlags(e, fs, args); !ok {
		return code
	}
	live := !*replay && !*sim
	var filter *regexp.Regexp
	if *run != "" {
		re, err := regexp.Compile(*run)
		if err != nil {
			return usageError(e, fs, "--run %q: %v", *run, err)
		}
		filter = re
	}
	if msg := conformanceMisuse(fs, &aws, models, *replay, *sim, *fixtures, *record, *format); msg != "" {
		return usageError(e, fs, "%s", msg)
	}

	var (
		hs        []*conformance.Harness
		scenarios []conformance.Scenario
		closers   []func()
		checks    []func() error
	)
	defer func() {
		for _, c := range closers {
			c()
		}
	}()
	switch {
	case *replay:
		rh, err := replayHarnesses(models, *fixtures)
		closers = append(closers, rh.closers...)
		if err != nil {
			return usageError(e, fs, "%v", err)
		}
		hs, checks = rh.harnesses, rh.checks
		scenarios = conformance.ReplayScenarios()
	case *sim:
		for _, m := range models {
			h, closeSim := simHarness(m)
			closers = append(closers, closeSim)
			hs = append(hs, h)
		}
		scenarios = conformance.Scenarios()
	default:
		cctx, stop := interruptible(ctx, e)
		lh, err := liveHarnesses(cctx, &aws, models, *record)
		stop()
		if err != nil {
			return report(e.stderr, "conformance", err)
		}
		hs = lh
		scenarios = conformance.Scenarios()
		for _, s := range conformance.ReplayScenarios() {
			s.Name = "recorded/" + s.Name
			scenarios = append(scenarios, s)
		}
	}
	if filter != nil {
		scenarios = slices.DeleteFunc(scenarios, func(s conformance.Scenario) bool { return !filter.MatchString(s.Name) })
		if len(scenarios) == 0 {
			return usageError(e, fs, "--run %q matches no scenario", *run)
		}
	}

	ctx, stop := interruptible(ctx, e)
	defer stop()
	if live {
		where := "Amazon Bedrock"
		if aws.endpoint != "" {
			where = aws.endpoint
		}
		fmt.Fprintf(e.stderr, "llmkit conformance: running %d scenarios against %d model(s) on %s; this takes a while.\n", len(scenarios), len(hs), where)
	}
	rep := conformance.Evaluate(ctx, scenarios, hs...)
	if ctx.Err() != nil {
		return report(e.stderr, "conformance", ctx.Err())
	}
	if *format == "json" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return report(e.stderr, "conformance", err)
		}
		fmt.Fprintf(e.stdout, "%s\n", data)
	} else if err := rep.WriteMarkdown(e.stdout); err != nil {
		return report(e.stderr, "conformance", err)
	}

	code := exitOK
	if rep.Failed() {
		code = exitFailure
	}
	for _, check := range checks {
		if err := check(); err != nil {
			fmt.Fprintf(e.stderr, "llmkit conformance: %v\n", err)
			code = exitFailure
		}
	}
	return code
}

// conformanceMisuse returns what is wrong with the flags of a conformance run, or "".
func conformanceMisuse(fs *flag.FlagSet, aws *awsFlags, models modelList, replay, sim bool, fixtures, record, format string) string {
	live := !replay && !sim
	switch {
	case fs.NArg() > 0:
		return fmt.Sprintf("unexpected argument %q", fs.Arg(0))
	case format != "md" && format != "json":
		return fmt.Sprintf("--format %q: want md or json", format)
	case replay && sim:
		return "--replay and --sim exclude each other"
	case !replay && len(models) == 0:
		return "--model is required (e.g. --model us.anthropic.claude-haiku-4-5-20251001-v1:0 or openai:gpt-4o), or use --replay"
	case fixtures != "" && !replay:
		return "--fixtures goes with --replay"
	case record != "" && !live:
		return "--record records live exchanges; it does not go with --replay or --sim"
	case !live && (aws.region != "" || aws.profile != "" || aws.endpoint != ""):
		return "--region, --profile and --endpoint are for live runs; --replay and --sim use the local simulators"
	}
	return ""
}

// liveHarnesses connects to each model of models (PROVIDER:ID or a Bedrock id) and
// returns its live harness. With record, Bedrock's exchanges are recorded as fixtures
// under that directory; Chat Completions runs are not recorded.
func liveHarnesses(ctx context.Context, aws *awsFlags, models []string, record string) ([]*conformance.Harness, error) {
	var rec *bedrocktest.Recorder
	var wrap func(http.RoundTripper) http.RoundTripper
	if record != "" {
		wrap = func(next http.RoundTripper) http.RoundTripper {
			if rec == nil {
				rec = bedrocktest.NewRecorder(next)
			}
			return rec
		}
	}
	var hs []*conformance.Harness
	conns := map[string]*connection{} // one connection per provider
	for _, m := range models {
		provider, id := splitModel(m)
		if provider == providerOpenAI && record != "" {
			return nil, &usageErr{"--record records Bedrock exchanges; " + m + " is a Chat Completions model"}
		}
		cl := conns[provider]
		if cl == nil {
			var err error
			if cl, err = connectModel(ctx, aws, m, wrap); err != nil {
				return nil, err
			}
			conns[provider] = cl
		}
		h := &conformance.Harness{Name: m, Model: cl.model, ModelID: id, Timeout: 2 * time.Minute}
		if rec != nil {
			h.Recorder = bedrocktest.NewFixtureRecorder(rec, record, id)
		}
		hs = append(hs, h)
	}
	return hs, nil
}
