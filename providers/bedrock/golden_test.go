package bedrock

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/internal/goldenfile"
)

// compareRequestGolden compares body, indented, with the request golden file of name.
func compareRequestGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatalf("FormatRequest(%s) body is not JSON: %v\n%s", name, err, body)
	}
	pretty.WriteByte('\n')
	checkGolden(t, filepath.Join("testdata", "request", filepath.FromSlash(name)+".json"), pretty.Bytes())
}

// checkGolden compares got with the golden file at path as parsed JSON, numbers as
// written, or rewrites the file with -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if goldenfile.Update() {
		goldenfile.Write(t, path, got)
		return
	}
	want, err := decodeExact(goldenfile.Read(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	have, err := decodeExact(got)
	if err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
