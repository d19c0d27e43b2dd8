package goldenfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "golden.json")
	Write(t, path, []byte("{}\n"))
	if got := string(Read(t, path)); got != "{}\n" {
		t.Errorf("Read after Write = %q, want %q", got, "{}\n")
	}
	if Update() {
		t.Error("Update() is true without -update")
	}
}

func TestReadMissing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.json")
	ft := &fatalT{TB: t}
	func() {
		defer func() { _ = recover() }()
		Read(ft, path)
	}()
	if !strings.Contains(ft.msg, "run go test -update to create it") {
		t.Fatalf("Read of a missing file failed with %q, want the hint to run go test -update", ft.msg)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("Read created the file")
	}
}

// fatalT records Fatalf and stops the calling function as t.Fatalf does.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func (f *fatalT) Helper() {}
