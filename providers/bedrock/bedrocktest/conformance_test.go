package bedrocktest_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/conformance"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// The conformance adapters run end to end in providers/bedrock's conformance test and
// in `llmkit conformance`; these tests cover their edges.

const haikuDir = "anthropic_claude_haiku_4_5_20251001_v1_0"

// shippedFile returns the bytes of a shipped fixture.
func shippedFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(bedrocktest.Fixtures(), name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadRecordings(t *testing.T) {
	basic := shippedFile(t, haikuDir+"/basic.json")
	usage := shippedFile(t, haikuDir+"/usage.json")
	llama := shippedFile(t, "meta_llama3_3_70b_instruct_v1_0/basic.json")
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		models  []string
		wantErr string
	}{
		{
			name:   "fixtures in any directory are grouped by model id, other files ignored",
			fsys:   fstest.MapFS{"a/basic.json": {Data: basic}, "b/c/usage.json": {Data: usage}, "llama.json": {Data: llama}, "README.md": {Data: []byte("#")}},
			models: []string{"global.anthropic.claude-haiku-4-5-20251001-v1:0", "us.meta.llama3-3-70b-instruct-v1:0"},
		},
		{
			name:    "two recordings of one name for one model are ambiguous",
			fsys:    fstest.MapFS{"a/basic.json": {Data: basic}, "b/basic.json": {Data: basic}},
			wantErr: "a/basic.json and b/basic.json both record basic for global.anthropic.claude-haiku-4-5-20251001-v1:0",
		},
		{
			name:    "a fixture that does not parse names its file",
			fsys:    fstest.MapFS{"a/broken.json": {Data: []byte("{")}},
			wantErr: "a/broken.json",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := bedrocktest.LoadRecordings(tt.fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadRecordings() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadRecordings() error: %v", err)
			}
			if diff := cmp.Diff(tt.models, recs.Models()); diff != "" {
				t.Errorf("LoadRecordings().Models() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReplayer: a missing recording skips the scenario and queues nothing; recordings a
// scenario leaves unserved are reported and not served to the next scenario; a request
// with no recording left is refused.
func TestReplayer(t *testing.T) {
	recs, err := bedrocktest.LoadRecordings(bedrocktest.Fixtures())
	if err != nil {
		t.Fatal(err)
	}
	const model = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
	rp := bedrocktest.NewReplayer(recs, model, bedrocktest.ConformanceAllow())
	srv := newServer(t, &bedrocktest.Options{Default: rp.Reply()})
	h := bedrocktest.ReplayHarness(rp, bedrock.New(srv.Client(nil), nil))
	if h.ModelID != model || h.Mode() != conformance.ModeReplay {
		t.Fatalf("ReplayHarness() = model %q, mode %s; want %q, replay", h.ModelID, h.Mode(), model)
	}

	err = rp.Replay(t.Context(), "basic", "object_streaming")
	if !errors.Is(err, conformance.ErrNoRecording) || err.Error() != "no recording of object_streaming" {
		t.Errorf("Replay(basic, object_streaming) = %v, want %q wrapping conformance.ErrNoRecording", err, "no recording of object_streaming")
	}
	if err := rp.Check(); err != nil {
		t.Errorf("Check() after a refused Replay = %v, want nil: nothing was queued", err)
	}

	// A scenario that queues two recordings and stops after none.
	if err := rp.Replay(t.Context(), "tool_round_trip_1", "tool_round_trip_2"); err != nil {
		t.Fatalf("Replay(tool_round_trip_1, tool_round_trip_2): %v", err)
	}
	// The next scenario gets its own recording, not tool_round_trip_1.
	if err := rp.Replay(t.Context(), "basic"); err != nil {
		t.Fatalf("Replay(basic): %v", err)
	}
	req := &llm.Request{Model: model, Messages: []llm.Message{llm.UserText("Hello world!")}, MaxTokens: 50, Temperature: llm.Ptr(0.0)}
	if _, err := h.Model.Generate(t.Context(), req); err != nil {
		t.Errorf("Generate(basic) error: %v", err)
	}
	if err := srv.Check(); err != nil {
		t.Errorf("server Check() = %v, want the basic request to match its recording", err)
	}
	if _, err := h.Model.Generate(t.Context(), req); !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("Generate with no recording left: error = %v, want llm.ErrInvalidRequest", err)
	}
	if diff := cmp.Diff([]string{haikuDir + "/basic.json"}, rp.Served()); diff != "" {
		t.Errorf("Served() mismatch (-want +got):\n%s", diff)
	}
	err = rp.Check()
	for _, want := range []string{haikuDir + "/tool_round_trip_1.json", haikuDir + "/tool_round_trip_2.json"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check() = %v, want it to name the unserved %s", err, want)
		}
	}
}

func TestConformanceAllowHasReasons(t *testing.T) {
	allow := bedrocktest.ConformanceAllow()
	for _, name := range []string{"streaming", "object_basic", "object_streaming"} {
		if len(allow[name]) == 0 {
			t.Errorf("ConformanceAllow()[%q] is empty, want the difference of that recording", name)
		}
	}
	for name, as := range allow {
		for _, a := range as {
			if a.Path == "" || a.Reason == "" {
				t.Errorf("ConformanceAllow()[%q] = %+v, want a path and a reason", name, a)
			}
		}
	}
	allow["streaming"][0].Reason = ""
	if bedrocktest.ConformanceAllow()["streaming"][0].Reason == "" {
		t.Errorf("ConformanceAllow() returns shared values; want a new map each call")
	}
}

// TestFixtureRecorderCountMismatch: a scenario whose calls were retried records more
// exchanges than it has recordings, and nothing is saved.
func TestFixtureRecorderCountMismatch(t *testing.T) {
	rec := bedrocktest.NewRecorder(nil)
	dir := t.TempDir()
	fr := bedrocktest.NewFixtureRecorder(rec, dir, "us.amazon.nova-pro-v1:0")
	fr.Begin("basic")
	err := fr.Save("basic")
	if err == nil || !strings.Contains(err.Error(), "recorded 0 exchanges, want 1 (basic)") {
		t.Errorf("Save(basic) with nothing recorded = %v, want a count mismatch", err)
	}
	if files, _ := fs.Glob(os.DirFS(dir), "*/*"); len(files) != 0 {
		t.Errorf("Save wrote %v after a count mismatch, want nothing", files)
	}
}
