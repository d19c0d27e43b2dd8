package bedrock

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestVideoAudio: video and audio parts go to video and audio blocks, inline or from S3
// (and a video in a tool result); the same blocks in an answer come back as the parts;
// an unknown format is an error naming the part (REQ-MEDIA).
func TestVideoAudio(t *testing.T) {
	m, srv := newTestModel(t, nil)
	srv.Enqueue(bedrocktest.RawJSON([]byte(`{"output":{"message":{"role":"assistant","content":[` +
		`{"video":{"format":"mp4","source":{"s3Location":{"uri":"s3://b/v.mp4"}}}},{"audio":{"format":"mp3","source":{"bytes":"AQI="}}},{"text":"ok"}]}},` +
		`"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2}}`)))
	req := &llm.Request{Model: "us.amazon.nova-pro-v1:0", Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{
		llm.Video{URI: "s3://b/clip.mov"},
		llm.Video{Format: "webm", Data: []byte{1, 2, 3}},
		llm.Audio{Format: "wav", URI: "s3://b/a.wav"},
		llm.Text{Text: "Describe them."},
	}}}}
	resp, err := m.Generate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	checkJSONPath(t, srv.Requests()[0].Body, "messages.0.content", `[`+
		`{"video":{"format":"mov","source":{"s3Location":{"uri":"s3://b/clip.mov"}}}},`+
		`{"video":{"format":"webm","source":{"bytes":"AQID"}}},`+
		`{"audio":{"format":"wav","source":{"s3Location":{"uri":"s3://b/a.wav"}}}},{"text":"Describe them."}]`)
	want := []llm.Part{llm.Video{Format: "mp4", URI: "s3://b/v.mp4"}, llm.Audio{Format: "mp3", Data: []byte{1, 2}}, llm.Text{Text: "ok"}}
	if diff := cmp.Diff(want, resp.Message.Parts); diff != "" || len(resp.Warnings) != 0 {
		t.Errorf("answer parts (-want +got):\n%s\nwarnings %q", diff, resp.Warnings)
	}

	for name, p := range map[string]llm.Part{
		"video_format": llm.Video{Format: "avi", Data: []byte{1}},
		"audio_none":   llm.Audio{Data: []byte{1}},
	} {
		_, err := m.Generate(context.Background(), &llm.Request{Model: claude, Messages: []llm.Message{{Role: llm.RoleUser, Parts: []llm.Part{llm.Text{Text: "x"}, p}}}})
		var ire *llm.InvalidRequestError
		if !errors.As(err, &ire) || ire.Message != 0 || ire.Part != 1 {
			t.Errorf("%s: Generate = %v, want an invalid request naming message 0 part 1", name, err)
		}
	}
}
