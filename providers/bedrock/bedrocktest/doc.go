// Package bedrocktest is an Amazon Bedrock Runtime server on loopback that speaks the real
// wire protocol — REST-JSON, SigV4 or bearer authentication, and binary
// application/vnd.amazon.eventstream frames — so that the real bedrockruntime client,
// and everything built on it, can be exercised end to end with no AWS account and no
// network. It serves llmkit's tests, examples and benchmarks, the offline `llmkit demo`,
// and `llmkit sim`, which serves it to programs in any language.
//
// # Server and client
//
// [NewServer] starts a [Server] in the manner of httptest.NewServer. [Server.Client]
// returns a *bedrockruntime.Client pointed at it, with static credentials, retries off
// (or on with no backoff) and the HTTP fixes of bedrock.HTTPClient installed. The server
// answers POST /model/{modelId}/converse, /converse-stream, /invoke and
// /invoke-with-response-stream for any model id, inference profile or ARN, and
// /count-tokens with a deterministic count of its own ([CountTokens]); it requires an
// Authorization header and keeps every request ([Server.Requests]). Neutral replies may
// hold cited text, search results and server-side tool calls and results, served as
// Bedrock writes them (citationsContent, citation and toolResult deltas); guardrail
// interventions with their traces are given in Bedrock's form ([RawJSON], [Frames]).
//
// # Replies
//
// Each request takes the next queued [ServerReply] ([Server.Enqueue], or [Server.EnqueueFor]
// for one model). A reply is given in neutral form ([Respond], [Text], [Events]), which
// answers both converse and converse-stream consistently; in Bedrock's form ([RawJSON],
// [Frames], [InvokeStream]); as an HTTP error in the real shape ([Error]); per request
// ([Func], [Echo]); or as a recorded exchange ([Fixture.Reply]). Replies can be shaped
// (chunking, pacing, delays, padding) and can fail in the ways real streams fail: an
// exception frame mid-stream, a dropped connection, a truncated frame, a corrupt CRC.
// A [Script] writes replies as JSON ([ParseScript], [LoadScript], [Script.Install]), the
// format of `llmkit sim --script`, so that clients in any language can be tested.
//
// # Recorded exchanges
//
// [Fixtures] holds real recorded Bedrock exchanges; [LoadFixture] reads one. Replaying a
// fixture answers byte for byte as recorded and compares the request received with the
// recorded one as parsed JSON ([CompareJSON]); differences, beyond the intended ones
// declared with [Allow], are reported by [Server.Mismatches] and [Server.Check].
// A [Recorder] records live traffic into the same format.
//
// # Conformance suite
//
// The simulator runs llmkit's conformance suite (package conformance) for a provider
// built on the Bedrock client; the provider's model is a parameter, so that this
// package does not import it. [ScriptedHarness] answers every scenario with its
// scripted reply and injects its faults in Bedrock's shapes. [LoadRecordings] groups
// recorded exchanges by model id, and a [Replayer] (with [ReplayHarness]) answers the
// replay scenarios with them, allowing the intended differences of [ConformanceAllow]
// for the recordings in [Fixtures]. A [FixtureRecorder] saves a live run's exchanges
// as fixtures that replay the same way.
package bedrocktest
