// Command llmkit is llmkit's command line: try the library with no AWS account, chat
// with and question models on Amazon Bedrock or any Chat Completions service, serve the
// simulators to other programs, and print the conformance matrix.
//
// # Models
//
// --model takes the provider with the model: "openai:gpt-4o" is a Chat Completions
// model (OpenAI, or the server at --endpoint or OPENAI_BASE_URL, e.g.
// https://api.groq.com/openai/v1, with the key in OPENAI_API_KEY; a loopback endpoint
// needs no key), "bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0" a Bedrock
// model. A model without either prefix is a Bedrock model id, inference profile or ARN.
//
// Usage:
//
//	llmkit <command> [flags] [arguments]
//
// Flags may come before or after the arguments ("llmkit ask "Hi" --model m" works);
// "--" ends the flags. "llmkit help" lists the commands; "llmkit <command> -h" (or
// "llmkit help <command>") prints a command's usage. Install the command with
//
//	go install github.com/llmkit/llmkit/cmd/llmkit@latest
//
// ("go run" reports every failure as exit status 1, losing the exit codes below).
//
// # demo
//
//	llmkit demo [--pace DURATION] [--stream=false]
//
// Runs an agent (package agent) with a real Go tool, "add", against a recorded Amazon
// Bedrock conversation with Claude Haiku 4.5 ("Use the add tool to compute 2 + 3 …"),
// and streams the answer to the terminal as it arrives, with a line for the tool call
// and one for its result. It needs no AWS account, no credentials and no network, and
// reads no AWS configuration: the Bedrock Runtime simulator (package
// providers/bedrock/bedrocktest) runs on 127.0.0.1 and answers the real AWS SDK client
// and bedrock.Model with the recorded answers, comparing each request the agent sends
// with the recorded one (a difference is printed as a warning). The answers were
// recorded without streaming; the simulator streams them as ConverseStream events built
// from the recorded answer (decoded by the SDK and llmkit's ParseResponse), cut into
// small deltas and paced by --pace. With --stream=false the agent calls Converse and the
// simulator replays the recorded bytes exactly.
//
// # chat
//
//	llmkit chat --model ID [--region REGION] [--profile PROFILE] [--endpoint URL] [--system TEXT] [--max-tokens N] [--tools] [--mcp SERVER]...
//
// An interactive multi-turn chat (agent.Session) with streamed answers. With --tools
// the model may call two built-in demo tools, add and word_count: each turn runs the
// tool loop (agent.Session.RunStream), printing a line per tool call and result, and
// enters the conversation whole once it succeeds. /reset clears
// the conversation, /history shows it, /save FILE and /load FILE store and restore it
// (llmkit's JSON form of messages), /help lists the commands, /quit leaves; so do end of
// input and Ctrl-C twice at the prompt. Ctrl-C while an answer streams cancels that
// answer, which is not kept. A message that starts with "/" is typed "//". Each --mcp
// SERVER (an http(s) URL for streamable HTTP, or a command line run over stdio) gives
// the model that MCP server's tools (package agent/mcptool); turns then run in the
// agent's tool loop, each tool call shown as it finishes.
//
// # ask
//
//	llmkit ask --model ID [--system TEXT] [--max-tokens N] [--schema FILE] [--json] [--count-tokens] PROMPT...|-
//
// One turn. The answer streams as text; --json prints the whole llm.Response as JSON
// (llm's JSON form); --schema FILE asks for a JSON object matching the JSON Schema in
// FILE (llm.Request.Output), checks it against the schema and prints it; --count-tokens
// asks nothing and prints the request's input token count (Bedrock's CountTokens,
// llm.TokenCounter). "-" reads the prompt from standard input.
//
// # sim
//
//	llmkit sim [--addr 127.0.0.1:PORT] [--script FILE | --fixtures DIR | --recorded] [--quiet]
//	llmkit sim --openai [--addr 127.0.0.1:PORT]
//
// With --openai it serves OpenAI's Chat Completions protocol (package
// providers/openai/openaitest) instead, answering by echo, for --model openai:… and
// --endpoint URL/v1.
// Serves the simulator for programs in any language and prints how to point the AWS
// SDKs and CLI at it. It listens on loopback addresses only and refuses any other
// (it accepts any credentials). Without fixtures it echoes the last user message. With
// --script FILE it answers with the replies of a JSON script (text, tool calls,
// reasoning, errors, pacing, stream faults; in order, per model id, or by rules
// matching requests; see bedrocktest.Script and the README). With
// --fixtures DIR (or --recorded, the recordings shipped with llmkit) a request gets the
// recording of the same model id and operation whose request body is the same JSON;
// a ConverseStream request may also get a Converse recording, as a stream; a request
// that matches none gets a ValidationException naming the closest recording and how it
// differs. It stops on Ctrl-C or SIGTERM.
//
// # conformance
//
//	llmkit conformance --model ID... [--endpoint URL] [--record DIR] [--run REGEXP] [--format md|json]
//	llmkit conformance --replay [--fixtures DIR] [--model ID]...
//	llmkit conformance --sim --model ID...
//
// Runs the suite of package conformance and prints the matrix, as Markdown or JSON:
// live against Bedrock (recording new fixtures with --record), replaying recordings, or
// scripted on the simulators. --replay without --model replays every recording shipped
// with llmkit, Bedrock's and Chat Completions' (OpenAI's and Groq's, as openai:ID): it is
// how conformance/testdata/report.md is made. --sim takes either provider's models.
//
// # batch
//
//	llmkit batch submit --model ID --role ARN --input s3://… --output s3://… [--wait] FILE
//	llmkit batch submit --local FILE
//	llmkit batch status|results|cancel [--endpoint URL] JOB_ARN
//	llmkit batch sim [--addr 127.0.0.1:PORT]
//
// Runs the requests of FILE (JSONL: {"id": …, "messages": […]} with llmkit's JSON form
// of messages) as one Bedrock batch inference job (package
// providers/bedrock/bedrockbatch), follows it with a progress line on standard error,
// and writes the results as JSONL: {"id": …, "response": {…}} or {"id": …, "error":
// {"category": …, "message": …}}. A bad request is reported by record id before anything
// is uploaded (exit code 2). --local runs against the stand-in of package batchtest in
// the process; "batch sim" serves it for --endpoint.
//
// # AWS configuration
//
// chat, ask, batch and live conformance use the AWS default configuration: environment
// variables, the shared config and credentials files (--profile or AWS_PROFILE), SSO,
// and container or instance roles; the region comes from --region, AWS_REGION or the
// profile. Credentials are checked before the first call. A loopback endpoint (--endpoint
// or AWS_ENDPOINT_URL_BEDROCK_RUNTIME on 127.0.0.1, ::1 or localhost, such as "llmkit
// sim") needs no AWS account: unless --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID ask
// for real credentials, its requests are signed with throwaway ones, and an endpoint
// where nothing listens is reported at once. The AWS SDK's own log is shown only with
// --debug. AWS_BEARER_TOKEN_BEDROCK (a
// Bedrock API key) is used instead when set, except over plain http. --endpoint sends
// the calls to another Bedrock-compatible endpoint, such as "llmkit sim"; it wins over
// AWS_ENDPOINT_URL_BEDROCK_RUNTIME. AWS_MAX_ATTEMPTS and AWS_RETRY_MODE set the SDK's
// retries.
//
// # Exit codes
//
//	0    success
//	1    the command failed at run time: throttled, unknown model, model or server
//	     error, a broken stream, an endpoint not reachable, a failed conformance
//	     scenario
//	2    bad usage: unknown command or flag, missing or invalid argument or file, or a
//	     request llmkit refuses to send (llm.InvalidRequestError)
//	3    AWS credentials missing or refused, or an unusable AWS configuration (no
//	     region, unknown profile, access denied)
//	130  interrupted by Ctrl-C (SIGINT) or SIGTERM
//
// The error categories of package llm decide: llm.ErrAuth gives 3, llm.ErrRateLimited
// and the others 1. Errors come with advice: how to set up credentials (and that
// "llmkit demo" needs none), how to find a model id, what to do when throttled.
//
// chat exits with 0 at /quit, end of input or Ctrl-C twice, or with the code of the
// last turn that failed; sim exits with 0 when stopped.
package main
