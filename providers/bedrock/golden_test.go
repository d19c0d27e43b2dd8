package bedrock

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the -update flag: the golden-file checks below rewrite their files instead of
// comparing with them.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// compareRequestGolden compares body with the golden file, as parsed JSON.
func compareRequestGolden(t *testing.T, name string, body []byte) {
	t.Helper()
	path := filepath.Join("testdata", "request", filepath.FromSlash(name)+".json")
	if *update {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, body, "", "  "); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, body)
		}
		pretty.WriteByte('\n')
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	want, err := decodeExact(wantBytes)
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
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	wantBytes, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	var want, have any
	if err := json.Unmarshal(wantBytes, &want); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if err := json.Unmarshal(got, &have); err != nil {
		t.Fatalf("result is not JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}
