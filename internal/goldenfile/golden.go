// Package goldenfile reads and rewrites the golden files of llmkit's tests: files under a
// package's testdata that hold what a test expects, rewritten by `go test -update`.
// Only tests import it; it registers the -update flag.
package goldenfile

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// Update reports whether the test binary runs with -update: golden tests then rewrite
// their files with [Write] instead of comparing with them.
func Update() bool { return *update }

// Write writes b to the golden file at path, creating its directory, and fails t when
// it cannot.
func Write(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Read returns the golden file at path, and fails t, saying how to create it, when it
// cannot be read.
func Read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return b
}
