// Package openaitest is a Chat Completions server on loopback — JSON answers and
// server-sent-event streams in OpenAI's shapes — so that openai-go, and
// llmkit's openai provider built on it, can be exercised end to end with no API key
// and no network.
//
// # Server and client
//
// [NewServer] starts a [Server] in the manner of httptest.NewServer; [Server.URL] is
// its API root and [Server.Client] an openai-go client pointed at it (test key,
// retries off). It answers POST …/chat/completions under any prefix (so Azure's
// deployment paths too), requires an Authorization or api-key header, and keeps every
// request ([Server.Requests]).
//
// # Replies
//
// Each request takes the next queued [Reply] ([Server.Enqueue]). A reply is given in
// neutral form ([Respond], [Text]), which answers a plain call with a JSON completion
// and a streamed call with chunks of the same answer (Split cuts text and tool-call
// arguments into many deltas); as raw JSON or raw events ([RawJSON], [RawEvents]); as
// an HTTP error in OpenAI's shape, with headers such as Retry-After ([Error],
// [Reply.WithHeader]); per request ([Func], [Echo]); or as a recorded exchange
// ([Fixture.Reply]). Streams can break the ways real ones do: cut before [DONE]
// ([Reply.CutAfter]), a dropped connection ([Reply.DropAfter]), a malformed event
// ([Reply.MalformedAfter]), an error object inside the stream ([Reply.ErrorAfter]);
// and be written in small pieces ([Reply.Chunked]).
//
// # Recorded exchanges
//
// [Fixtures] holds real recorded exchanges with OpenAI and Groq; [LoadFixture] reads
// one. Replaying a fixture answers as recorded (a stream chunk by chunk as received)
// and compares the request received with the recorded one semantically; differences
// beyond the intended ones declared with [Allow] are reported by [Server.Mismatches]
// and [Server.Check]. The file format, the comparison and the replayer's bookkeeping
// are shared with bedrocktest.
package openaitest
