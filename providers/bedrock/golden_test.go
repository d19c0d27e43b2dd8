package bedrock

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/internal/goldenfile"
)

// compareRequestGolden compares body with the golden file, as parsed JSON.
func compareRequestGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", "request", filepath.FromSlash(name)+".json")
	if goldenfile.Update() {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, body, "", "  "); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, body)
		}
		pretty.WriteByte('\n')
		goldenfile.Write(t, path, pretty.Bytes())
		return
	}
	want, err := decodeExact(goldenfile.Read(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	got, err := decodeExact(body)
	if err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FormatRequest(%s) body mismatch with %s (-want +got):\n%s", name, path, diff)
	}
}

// checkGolden compares got with the golden file at path as parsed JSON, or rewrites
// the file with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if goldenfile.Update() {
		goldenfile.Write(t, path, got)
		return
	}
	var want, have any
	if err := json.Unmarshal(goldenfile.Read(t, path), &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
