// Package conformance is llmkit's provider-agnostic test suite: named scenarios that any
// [llm.Model] should pass, run from the provider's own tests the way testing/slogtest
// checks a slog.Handler, and a report of which models pass which scenario — the
// capability matrix.
//
// # Running the suite from a provider's test
//
// Describe the model with a [Harness] and call [Run] from a test:
//
//	func TestConformance(t *testing.T) {
//		srv := mysim.NewServer()
//		defer srv.Close()
//		conformance.Run(t, &conformance.Harness{
//			Model:    myprovider.New(srv.Client()),
//			ModelID:  "my-model-v1",
//			Scripter: simScripter{srv}, // queues each scenario's answer on the simulator
//			Faults:   simFaults{srv},   // injects throttling, validation and stream failures
//		})
//	}
//
// Each scenario is a subtest named after it ([Scenario.Name]) and states the rule it
// checks ([Scenario.Rule]), which a failing subtest logs. Scenarios run one after the
// other; the cancellation scenario counts the goroutines a call leaves behind, so run
// the suite apart from parallel tests. A scenario is skipped, with
// the reason, when the harness's capabilities ([Harness.Capabilities], or the model's
// own [llm.CapabilityReporter]) exclude it, or when it needs a fault injector the
// harness lacks.
//
// What a scenario asserts depends on the harness's [Mode]. With a [Scripter] the suite
// queues the answer each scenario expects — a canned [llm.Response], a raw event stream,
// a paced stream — and checks that the model hands it back exactly, through the
// provider's whole translation and transport; a [FaultInjector] adds the failures of
// the error scenarios. With no Scripter the model is taken to be live: prompts are
// deterministic (temperature 0) and the scenarios assert only what a real model
// reliably does — the right stop reason, a tool called with valid input, usage above
// zero, the word the prompt asks for. The scripted backend of package llm/llmtest
// passes the whole suite; so do the providers' simulators (bedrocktest and openaitest
// implement both interfaces: ScriptedHarness in each).
//
// A scenario asks only what every provider can express, and one a model cannot is
// skipped by its capabilities, never passed by bending it: the stop reason of a stop
// sequence follows [llm.Capabilities].StopSequenceReason, cache writes are scripted
// only for models with CachePoints, signed reasoning sent back as history only for
// models with ReasoningReplay.
//
// # Recorded exchanges
//
// [ReplayScenarios] mirror the recorded exchanges of llmkit's fixture format (basic,
// streaming, token_limit, usage, multi_tool, no_tool, tool_round_trip_1 and _2,
// object_basic, object_streaming): each sends the neutral requests equivalent to the
// recorded ones and checks the answers as it would a live model's. A harness with a
// [Replayer] answers them with the recordings — the provider's test then compares the
// requests it sent with the recorded ones, listing every intended difference — and a
// live harness with a [Recorder] records new ones:
//
//	conformance.RunScenarios(t, h, conformance.ReplayScenarios())
//
// # Reports
//
// [Evaluate] runs scenarios against several harnesses outside of go test (the llmkit
// command line uses it) and returns a [Report]: per model, each scenario's [Result] —
// pass, fail with the reason, or skip with the reason. [Report.WriteMarkdown] prints
// the matrix, one row per scenario and one column per model; the JSON form is the
// Report itself. Scenarios are written once, against a small interface that both
// *testing.T and Evaluate's runner implement.
//
// The suite imports llm, schema and structured only, never a provider.
package conformance
