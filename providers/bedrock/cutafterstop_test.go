package bedrock

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// cutAfterStopReplies are the three ways a stream can lose its final metadata event
// after messageStop (RULES.md STREAM-NO-METADATA), for the answer resp.
func cutAfterStopReplies(t *testing.T, resp *llm.Response) map[string]bedrocktest.ServerReply {
	t.Helper()
	evs := mustEvents(t, resp)
	if _, ok := evs[len(evs)-1].(llm.Metadata); !ok {
		t.Fatalf("the answer's last event is %T, want llm.Metadata", evs[len(evs)-1])
	}
	stop := len(evs) - 1 // frames up to and including messageStop
	return map[string]bedrocktest.ServerReply{
		"connection_dropped": bedrocktest.Respond(resp).DropAfter(stop),
		"metadata_cut":       bedrocktest.Respond(resp).TruncateAfter(stop),
		"clean_end":          bedrocktest.Events(evs[:stop]...),
	}
}

// TestModelStreamCutAfterStop: a stream that loses its metadata after messageStop is an
// llm.ErrStream error on the events and on Response(), never a success with zero usage,
// and the message received is in StreamError.Partial (STREAM-NO-METADATA).
func TestModelStreamCutAfterStop(t *testing.T) { forDecoders(t, testModelStreamCutAfterStop) }

func testModelStreamCutAfterStop(t *testing.T, dec StreamDecoder) {
	answer := &llm.Response{
		Message:    llm.AssistantText("The answer is 42."),
		StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn",
		Usage: llm.Usage{InputTokens: 12, OutputTokens: 6, TotalTokens: 18},
	}
	for name, reply := range cutAfterStopReplies(t, answer) {
		t.Run(name, func(t *testing.T) {
			defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
			srv := bedrocktest.NewServer(nil)
			defer srv.Close()
			m := New(srv.Client(nil), &Options{StreamDecoder: dec})
			srv.Enqueue(reply.WithRequestID("rid-cut"))
			s, err := m.Stream(context.Background(), userReq(claude, "hi"))
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			_, evErr := streamErr(s)
			_, respErr := s.Response()
			for what, err := range map[string]error{"Events": evErr, "Response": respErr} {
				if !errors.Is(err, llm.ErrStream) {
					t.Fatalf("%s ended with %v, want llm.ErrStream", what, err)
				}
				var se *llm.StreamError
				if !errors.As(err, &se) || se.Partial == nil {
					t.Fatalf("%s error %v carries no StreamError.Partial", what, err)
				}
				if diff := cmp.Diff(answer.Message, se.Partial.Message); diff != "" {
					t.Errorf("%s: Partial.Message differs from the answer sent (-want +got):\n%s", what, diff)
				}
				if se.Partial.StopReason != llm.StopReasonEndTurn || se.Partial.RequestID != "rid-cut" {
					t.Errorf("%s: Partial stop %q request id %q, want end_turn and rid-cut", what, se.Partial.StopReason, se.Partial.RequestID)
				}
				if se.Partial.Usage != (llm.Usage{}) {
					t.Errorf("%s: Partial.Usage = %+v, want zero: the metadata never arrived", what, se.Partial.Usage)
				}
			}
		})
	}
}

// TestModelStreamMetadataFirst: metadata before messageStop (STREAM-METADATA) is a
// complete stream, not one cut after its stop.
func TestModelStreamMetadataFirst(t *testing.T) {
	m, srv := newTestModel(t, nil)
	usage := llm.Usage{InputTokens: 3, OutputTokens: 2, TotalTokens: 5}
	srv.Enqueue(bedrocktest.Events(
		llm.MessageStart{Role: llm.RoleAssistant},
		llm.TextDelta{Index: 0, Text: "ok"},
		llm.BlockStop{Index: 0},
		llm.Metadata{Usage: usage},
		llm.MessageStop{StopReason: llm.StopReasonEndTurn, RawStopReason: "end_turn"},
	))
	s, err := m.Stream(context.Background(), userReq(claude, "hi"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.Response()
	if err != nil {
		t.Fatalf("Response() = %v, want the answer", err)
	}
	if resp.Usage != usage || resp.Text() != "ok" {
		t.Errorf("Response() = %q with usage %+v, want %q with %+v", resp.Text(), resp.Usage, "ok", usage)
	}
}
