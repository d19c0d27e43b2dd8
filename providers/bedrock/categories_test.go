package bedrock

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/llmkit/llmkit/internal/retryafter"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// allCategories are the llm error categories; every failed call unwraps to exactly one of
// them, except a stream ended by its context, which is ErrStream as well.
var allCategories = []error{
	llm.ErrInvalidRequest, llm.ErrContextTooLong, llm.ErrRateLimited, llm.ErrAuth,
	llm.ErrNotFound, llm.ErrTimeout, llm.ErrModelNotReady, llm.ErrServer, llm.ErrStream,
	llm.ErrContentFiltered, llm.ErrNoObject, llm.ErrMaxSteps, llm.ErrTruncated,
	llm.ErrCanceled,
}

// callEnd is one way a call can end badly: the reply the simulator gives, how the
// caller's context ends (cancel inside the reply's Func, or a deadline), and what the
// error must be.
type callEnd struct {
	name      string
	stream    bool
	reply     func(cancel context.CancelFunc) bedrocktest.ServerReply
	deadline  bool // the context's deadline has passed before the call
	readFirst bool // cancel after reading the stream's first event
	unread    bool // cancel without reading the stream
	want      []error
	retryable bool
}

func textReply() bedrocktest.ServerReply { return bedrocktest.Text("one two three four") }

// Issue 13, point 8, and the error-category table: every way a Converse or
// ConverseStream call can end badly, each with its category and retryability.
func TestIssue13ErrorCategories(t *testing.T) {
	cancelling := func(r bedrocktest.ServerReply) func(context.CancelFunc) bedrocktest.ServerReply {
		return func(cancel context.CancelFunc) bedrocktest.ServerReply {
			return bedrocktest.Func(func(bedrocktest.Request) bedrocktest.ServerReply { cancel(); return r })
		}
	}
	plain := func(r bedrocktest.ServerReply) func(context.CancelFunc) bedrocktest.ServerReply {
		return func(context.CancelFunc) bedrocktest.ServerReply { return r }
	}
	stuck := textReply().Delay(time.Hour)
	paced := textReply().Pace(0, time.Hour)
	var cases []callEnd
	for _, stream := range []bool{false, true} {
		op := "converse"
		if stream {
			op = "converse-stream"
		}
		cases = append(cases,
			callEnd{name: op + "/cancelled_before_sending", stream: stream, reply: plain(textReply()), want: []error{llm.ErrCanceled, context.Canceled}},
			callEnd{name: op + "/cancelled_waiting_for_answer", stream: stream, reply: cancelling(stuck), want: []error{llm.ErrCanceled, context.Canceled}},
			callEnd{name: op + "/deadline_before_sending", stream: stream, deadline: true, reply: plain(textReply()), want: []error{llm.ErrTimeout, context.DeadlineExceeded}},
			callEnd{name: op + "/throttled", stream: stream, reply: plain(bedrocktest.Error(bedrocktest.ThrottlingException, "slow down")), want: []error{llm.ErrRateLimited}, retryable: true},
			callEnd{name: op + "/server_error", stream: stream, reply: plain(bedrocktest.Error(bedrocktest.InternalServerException, "oops")), want: []error{llm.ErrServer}, retryable: true},
			callEnd{name: op + "/validation", stream: stream, reply: plain(bedrocktest.Error(bedrocktest.ValidationException, "bad")), want: []error{llm.ErrInvalidRequest}},
		)
	}
	cases = append(cases,
		// A Converse body cut after its 200 is the same failure as a connection dropped
		// before it: a retryable server error.
		callEnd{name: "converse/dropped_before_answer", reply: plain(textReply().DropAfter(0)), want: []error{llm.ErrServer}, retryable: true},
		// A stream's 200 is sent before its first frame: dropped there, it is a broken stream.
		callEnd{name: "converse-stream/dropped_before_first_frame", stream: true, reply: plain(textReply().DropAfter(0)), want: []error{llm.ErrStream}},
		callEnd{name: "converse/truncated_body", reply: plain(textReply().TruncateAfter(0)), want: []error{llm.ErrServer}, retryable: true},
		callEnd{name: "converse/cut_after_200", reply: plain(textReply().CutAfter(0)), want: []error{llm.ErrServer}, retryable: true},
		callEnd{name: "converse-stream/cancelled_midway", stream: true, readFirst: true, reply: plain(paced), want: []error{llm.ErrStream, llm.ErrCanceled, context.Canceled}},
		callEnd{name: "converse-stream/cancelled_unread", stream: true, unread: true, reply: plain(paced), want: []error{llm.ErrStream, llm.ErrCanceled, context.Canceled}},
		callEnd{name: "converse-stream/exception_midway", stream: true, reply: plain(textReply().ExceptionAfter(2, bedrocktest.ThrottlingException, "slow down")), want: []error{llm.ErrRateLimited}, retryable: true},
		callEnd{name: "converse-stream/dropped_midway", stream: true, reply: plain(textReply().DropAfter(2)), want: []error{llm.ErrStream}},
		callEnd{name: "converse-stream/truncated_midway", stream: true, reply: plain(textReply().TruncateAfter(2)), want: []error{llm.ErrStream}},
		callEnd{name: "converse-stream/cut_midway", stream: true, reply: plain(textReply().CutAfter(2)), want: []error{llm.ErrStream}},
		callEnd{name: "converse-stream/corrupt_midway", stream: true, reply: plain(textReply().CorruptAfter(2)), want: []error{llm.ErrStream}},
	)
	for _, tc := range cases {
		decoders := []StreamDecoder{DecoderLLMKit}
		if tc.stream {
			decoders = append(decoders, DecoderSDK) // stream ends must not depend on the decoder
		}
		for _, dec := range decoders {
			t.Run(tc.name+"/"+dec.String(), func(t *testing.T) {
				m, srv := newTestModel(t, &Options{StreamDecoder: dec})
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tc.deadline {
					ctx, cancel = context.WithDeadline(ctx, time.Now().Add(-time.Second))
					defer cancel()
				}
				srv.Enqueue(tc.reply(cancel))
				if tc.name == "converse/cancelled_before_sending" || tc.name == "converse-stream/cancelled_before_sending" {
					cancel()
				}
				err := endCall(m, ctx, cancel, tc)
				checkCategory(t, err, tc.want, tc.retryable)
			})
		}
	}
}

// endCall makes the call of tc and returns its error.
func endCall(m *Model, ctx context.Context, cancel context.CancelFunc, tc callEnd) error {
	req := userReq(claude, "count")
	if !tc.stream {
		_, err := m.Generate(ctx, req)
		return err
	}
	st, err := m.Stream(ctx, req)
	if err != nil {
		return err
	}
	if tc.unread {
		cancel()
		_, err := st.Response()
		return err
	}
	for _, err := range st.Events() {
		if err != nil {
			return err
		}
		if tc.readFirst {
			cancel()
		}
	}
	return fmt.Errorf("stream %s ended without an error", tc.name)
}

func checkCategory(t *testing.T, err error, want []error, retryable bool) {
	t.Helper()
	if err == nil {
		t.Fatal("the call succeeded")
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Errorf("error %v does not unwrap to %v", err, w)
		}
	}
	n := 0
	for _, c := range allCategories {
		if errors.Is(err, c) {
			n++
		}
	}
	wantN := 0
	for _, w := range want {
		for _, c := range allCategories {
			if w == c {
				wantN++
			}
		}
	}
	if n != wantN {
		t.Errorf("error %v unwraps to %d allCategories, want %d", err, n, wantN)
	}
	var pe *llm.ProviderError
	got := errors.As(err, &pe) && pe.Retryable
	if got != retryable {
		t.Errorf("error %v: retryable %v, want %v", err, got, retryable)
	}
}

// Issue 13, point 10: a Retry-After header reaches ProviderError.RetryAfter, in seconds
// or as an HTTP date.
func TestIssue13RetryAfter(t *testing.T) {
	m, srv := newTestModel(t, nil)
	srv.Enqueue(bedrocktest.Error(bedrocktest.ThrottlingException, "slow down").WithHeader("Retry-After", "7"))
	_, err := m.Generate(context.Background(), userReq(claude, "hi"))
	var pe *llm.ProviderError
	if !errors.As(err, &pe) || pe.RetryAfter != 7*time.Second {
		t.Fatalf("error %v: want a ProviderError with RetryAfter 7s", err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"120":                           2 * time.Minute,
		"Fri, 02 Jan 2026 03:04:35 GMT": 30 * time.Second,
		"Fri, 02 Jan 2026 03:04:00 GMT": 0, // past
	} {
		if got := retryafter.Parse(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

// Issue 13, point 10: FormatStreamRequest's errors name the converse-stream operation.
func TestIssue13FormatStreamRequestOp(t *testing.T) {
	req := &llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser}}}
	_, _, err := FormatStreamRequest(req)
	var ire *llm.InvalidRequestError
	if !errors.As(err, &ire) || ire.Op != "converse-stream" {
		t.Fatalf("FormatStreamRequest error %v: want an InvalidRequestError with Op converse-stream", err)
	}
	if _, _, err := FormatStreamRequest(nil); !errors.As(err, &ire) || ire.Op != "converse-stream" {
		t.Fatalf("FormatStreamRequest(nil) error %v: want Op converse-stream", err)
	}
	if _, _, err := FormatRequest(req); !errors.As(err, &ire) || ire.Op != "converse" {
		t.Fatalf("FormatRequest error %v: want Op converse", err)
	}
	opaque := &llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		llm.Text{Text: "hi"}, llm.Opaque{Provider: "bedrock", Kind: "futureBlock", Raw: []byte(`{"futureBlock":{}}`)},
	}}}}
	if _, _, err := FormatStreamRequest(opaque); !errors.As(err, &ire) || ire.Op != "converse-stream" || !strings.Contains(ire.Reason, "opaque") {
		t.Fatalf("FormatStreamRequest(opaque blocks) error %v: want the opaque-block error with Op converse-stream", err)
	}
}

// Issue 13, point 8: a stream cancelled midway had no category in 6 runs of 40 (the race
// between the context watch and the SDK's own cancellation error). Every run now ends
// with ErrStream, ErrCanceled and context.Canceled.
func TestIssue13StreamCancelledMidwayAlwaysCategorised(t *testing.T) {
	forDecoders(t, testStreamCancelledMidwayAlwaysCategorised)
}

func testStreamCancelledMidwayAlwaysCategorised(t *testing.T, dec StreamDecoder) {
	m, srv := newTestModel(t, &Options{StreamDecoder: dec})
	for run := range 40 {
		srv.Enqueue(textReply().Pace(0, time.Millisecond))
		ctx, cancel := context.WithCancel(context.Background())
		err := endCall(m, ctx, cancel, callEnd{name: fmt.Sprint("run ", run), stream: true, readFirst: true})
		cancel()
		checkCategory(t, err, []error{llm.ErrStream, llm.ErrCanceled, context.Canceled}, false)
	}
}
