package simtest

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/conformance"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// rec is a recording for the tests: its path and the model it was sent to.
type rec struct{ path, model string }

func loadRec(fsys fs.FS, p string) (*rec, error) {
	b, err := fs.ReadFile(fsys, p)
	if err != nil {
		return nil, err
	}
	if string(b) == "bad" {
		return nil, errors.New("bad recording " + p)
	}
	return &rec{path: p, model: string(b)}, nil
}

func recModel(r *rec) string { return r.model }
func recPath(r *rec) string  { return r.path }

func TestJSONFiles(t *testing.T) {
	fsys := fstest.MapFS{"b/x.json": {}, "a/y.JSON": {}, "a/z.json": {}, "README.md": {}}
	for _, tt := range []struct {
		anyCase bool
		want    []string
	}{
		{false, []string{"a/z.json", "b/x.json"}},
		{true, []string{"a/y.JSON", "a/z.json", "b/x.json"}},
	} {
		got, err := JSONFiles(fsys, tt.anyCase)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("JSONFiles(anyCase %v) (-want +got):\n%s", tt.anyCase, d)
		}
	}
}

func TestLoadRecordings(t *testing.T) {
	fsys := fstest.MapFS{
		"m1/basic.json": {Data: []byte("m1")}, "m1/usage.json": {Data: []byte("m1")},
		"m2/basic.json": {Data: []byte("m2")},
	}
	r, err := LoadRecordings("pkg", fsys, false, loadRec, recModel, recPath)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"m1", "m2"}, r.Models()); d != "" {
		t.Errorf("Models() (-want +got):\n%s", d)
	}
	if got := r.Dir("m2"); got != "m2" {
		t.Errorf(`Dir("m2") = %q, want "m2"`, got)
	}
	if got := r.Dir("none"); got != "" {
		t.Errorf(`Dir("none") = %q, want ""`, got)
	}

	fsys["other/basic.json"] = &fstest.MapFile{Data: []byte("m1")}
	_, err = LoadRecordings("pkg", fsys, false, loadRec, recModel, recPath)
	if want := "pkg: load recordings: m1/basic.json and other/basic.json both record basic for m1"; err == nil || err.Error() != want {
		t.Errorf("LoadRecordings(duplicate) error = %v, want %q", err, want)
	}
	delete(fsys, "other/basic.json")
	fsys["m3/bad.json"] = &fstest.MapFile{Data: []byte("bad")}
	if _, err := LoadRecordings("pkg", fsys, false, loadRec, recModel, recPath); err == nil || !strings.Contains(err.Error(), "bad recording m3/bad.json") {
		t.Errorf("LoadRecordings(bad) error = %v, want the load error", err)
	}
}

func TestReplayer(t *testing.T) {
	fsys := fstest.MapFS{
		"m/one.json": {Data: []byte("m")}, "m/two.json": {Data: []byte("m")}, "m/three.json": {Data: []byte("m")},
	}
	recs, err := LoadRecordings("pkg", fsys, false, loadRec, recModel, recPath)
	if err != nil {
		t.Fatal(err)
	}
	allow := map[string][]Allow{"two": {{Path: "$.x", Reason: "r"}}}
	rp := recs.Replayer("m", allow, map[string]string{"three": "recorded otherwise"})
	ctx := context.Background()

	err = rp.Replay(ctx, "one", "missing")
	if !errors.Is(err, conformance.ErrNoRecording) || !strings.HasSuffix(err.Error(), "of missing") {
		t.Errorf("Replay(missing) = %v, want ErrNoRecording of missing", err)
	}
	err = rp.Replay(ctx, "three")
	if !errors.Is(err, conformance.ErrNoRecording) || !strings.HasSuffix(err.Error(), "of three fit for the scenario: recorded otherwise") {
		t.Errorf("Replay(unfit) = %v, want ErrNoRecording with the reason", err)
	}
	if _, _, ok := rp.Next(); ok {
		t.Error("Next() after failed Replays found a recording")
	}

	if err := rp.Replay(ctx, "one", "two"); err != nil {
		t.Fatal(err)
	}
	f, a, ok := rp.Next()
	if !ok || f.path != "m/one.json" || a != nil {
		t.Errorf("Next() = %v, %v, %v; want m/one.json with no Allow", f, a, ok)
	}
	// The next scenario replaces "two", which is then left unserved.
	if err := rp.Replay(ctx, "two"); err != nil {
		t.Fatal(err)
	}
	f, a, ok = rp.Next()
	if !ok || f.path != "m/two.json" || len(a) != 1 || a[0].Path != "$.x" {
		t.Errorf("Next() = %v, %v, %v; want m/two.json with its Allow", f, a, ok)
	}
	if d := cmp.Diff([]string{"m/one.json", "m/two.json"}, rp.Served()); d != "" {
		t.Errorf("Served() (-want +got):\n%s", d)
	}
	if want := "pkg: replay m: recordings queued but not replayed: m/two.json"; rp.Check() == nil || rp.Check().Error() != want {
		t.Errorf("Check() = %v, want %q", rp.Check(), want)
	}
	if rp.ModelID() != "m" {
		t.Errorf("ModelID() = %q, want m", rp.ModelID())
	}
}

func TestCompareRequest(t *testing.T) {
	fields := []Field{{Path: "model", Want: "a", Got: "b"}, {Path: "operation", Want: "x", Got: "x"}}
	want := []byte(`{"n":1,"s":"t"}`)
	got := []byte(`{"n":2,"s":"t"}`)
	for _, tt := range []struct {
		name  string
		allow []Allow
		want  []Mismatch
	}{
		{"none", nil, []Mismatch{
			{Fixture: "f", Path: "model", Want: "a", Got: "b"},
			{Fixture: "f", Path: "$.n", Want: "1", Got: "2"},
		}},
		{"any model", []Allow{{Path: "model"}, {Path: "$.n"}}, nil},
		{"the model sent", []Allow{{Path: "model", Want: json.RawMessage(`"b"`)}}, []Mismatch{
			{Fixture: "f", Path: "$.n", Want: "1", Got: "2"},
		}},
		{"another model", []Allow{{Path: "model", Want: json.RawMessage(`"c"`)}}, []Mismatch{
			{Fixture: "f", Path: "model", Want: "a", Got: "b"},
			{Fixture: "f", Path: "$.n", Want: "1", Got: "2"},
		}},
		{"no model", []Allow{{Path: "model", Absent: true}, {Path: "$.n"}}, []Mismatch{
			{Fixture: "f", Path: "model", Want: "a", Got: "b"},
		}},
	} {
		ms, err := CompareRequest("f", fields, want, got, tt.allow)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if d := cmp.Diff(tt.want, ms); d != "" {
			t.Errorf("%s: CompareRequest (-want +got):\n%s", tt.name, d)
		}
	}
	ms, err := CompareRequest("f", fields, want, []byte("{"), nil)
	if err == nil || len(ms) != 1 || ms[0].Path != "model" {
		t.Errorf("CompareRequest(invalid body) = %v, %v; want the model mismatch and an error", ms, err)
	}
}

func TestDiffersText(t *testing.T) {
	got := DiffersText([]Mismatch{{Fixture: "f", Path: "model", Want: "a", Got: "b"}, {Path: "$.n", Want: "1", Got: "2"}})
	if want := "request differs from the recording: f: model: want a, got b; $.n: want 1, got 2"; got != want {
		t.Errorf("DiffersText = %q, want %q", got, want)
	}
}

func TestCopyHeader(t *testing.T) {
	h := http.Header{"X-Own": {"kept"}}
	CopyHeader(h, Header{"x-request-id": {"r1"}, "date": {"today"}, "set-cookie": {"a", "b"}}, map[string]bool{"date": true})
	want := http.Header{"X-Own": {"kept"}, "X-Request-Id": {"r1"}, "Set-Cookie": {"a", "b"}}
	if d := cmp.Diff(want, h); d != "" {
		t.Errorf("CopyHeader (-want +got):\n%s", d)
	}
}

func TestReplayOptionsClone(t *testing.T) {
	var nilOpts *ReplayOptions
	if c := nilOpts.Clone(); c.Strict || c.Allow != nil {
		t.Errorf("nil.Clone() = %+v, want the zero value", c)
	}
	o := &ReplayOptions{Allow: []Allow{{Path: "$.a", Reason: "r"}}, Strict: true}
	c := o.Clone()
	o.Allow[0].Path = "$.changed"
	if !c.Strict || c.Allow[0].Path != "$.a" {
		t.Errorf("Clone() = %+v, want a copy sharing no Allow list", c)
	}
}

func TestFindings(t *testing.T) {
	var f Findings
	if f.Err() != nil || f.Mismatches() != nil {
		t.Fatalf("zero Findings: Err() = %v, Mismatches() = %v; want none", f.Err(), f.Mismatches())
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { f.Add([]Mismatch{{Fixture: "f", Path: "$.a", Want: "1", Got: "2"}}) })
	}
	wg.Wait()
	f.Add(nil, errors.New("a problem"))
	if n := len(f.Mismatches()); n != 8 {
		t.Errorf("len(Mismatches()) = %d, want 8", n)
	}
	lines := strings.Split(f.Err().Error(), "\n")
	if len(lines) != 9 || lines[0] != "a problem" || lines[1] != "f: $.a: want 1, got 2" {
		t.Errorf("Err() = %q, want the problem first, then the 8 mismatches", lines)
	}
}
