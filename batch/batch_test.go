package batch_test

import (
	"context"
	"errors"
	"iter"
	"os/exec"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestImportBoundaries: batch is neutral (no AWS, no provider), and llm, agent and the
// Bedrock provider's core do not import it.
func TestImportBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	const mod = "github.com/llmkit/llmkit/"
	deps := func(pkg string) []string {
		out, err := exec.Command("go", "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		return strings.Fields(string(out))
	}
	for _, dep := range deps("batch") {
		if strings.HasPrefix(dep, "github.com/aws/") || strings.HasPrefix(dep, mod+"providers/") {
			t.Errorf("batch depends on %s: it must stay provider-neutral", dep)
		}
	}
	for _, pkg := range []string{"llm", "agent", "providers/bedrock"} {
		for _, dep := range deps(pkg) {
			if dep == mod+"batch" {
				t.Errorf("%s imports batch: batch is built on them, not the other way", pkg)
			}
		}
	}
}

func TestStatusDone(t *testing.T) {
	for s, want := range map[batch.Status]bool{
		batch.StatusSubmitted: false, batch.StatusValidating: false, batch.StatusScheduled: false,
		batch.StatusInProgress: false, batch.StatusStopping: false,
		batch.StatusCompleted: true, batch.StatusPartiallyCompleted: true, batch.StatusFailed: true,
		batch.StatusStopped: true, batch.StatusExpired: true, "Unknown": false,
	} {
		if got := s.Done(); got != want {
			t.Errorf("%s.Done() = %v, want %v", s, got, want)
		}
	}
}

func TestRecordError(t *testing.T) {
	cause := &llm.InvalidRequestError{Message: 0, Part: -1, Reason: "bad"}
	err := error(&batch.RecordError{ID: "r7", Index: 7, Err: cause})
	if !errors.Is(err, llm.ErrInvalidRequest) {
		t.Errorf("errors.Is(%v, ErrInvalidRequest) = false", err)
	}
	if want := `batch: record "r7" (#7): invalid request: message 0: bad`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestRecordsStopsEarly(t *testing.T) {
	recs := []batch.Record{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	var got []string
	for r := range batch.Records(recs) {
		got = append(got, r.ID)
		if len(got) == 2 {
			break
		}
	}
	if strings.Join(got, ",") != "a,b" {
		t.Errorf("Records = %v, want a,b then stop", got)
	}
}

// steps is a Service whose job goes through the given states, one per Job call.
type steps struct {
	states []batch.Status
	calls  int
	err    error
}

func (s *steps) Job(context.Context, string) (*batch.Job, error) {
	if s.err != nil && s.calls == 1 {
		return nil, s.err
	}
	st := s.states[min(s.calls, len(s.states)-1)]
	s.calls++
	return &batch.Job{ID: "j", Status: st}, nil
}

func (s *steps) Submit(context.Context, string, iter.Seq2[batch.Record, error], *batch.SubmitOptions) (*batch.Job, error) {
	return nil, errors.ErrUnsupported
}

func (s *steps) Results(context.Context, string) iter.Seq2[batch.Result, error] {
	return func(func(batch.Result, error) bool) {}
}

func (s *steps) Cancel(context.Context, string) error { return errors.ErrUnsupported }

func TestFollow(t *testing.T) {
	s := &steps{states: []batch.Status{batch.StatusSubmitted, batch.StatusInProgress, batch.StatusInProgress, batch.StatusCompleted, batch.StatusFailed}}
	var got []string
	for job, err := range batch.Follow(context.Background(), s, "j", time.Microsecond) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, string(job.Status))
	}
	if want := "Submitted,InProgress,InProgress,Completed"; strings.Join(got, ",") != want {
		t.Errorf("Follow yielded %v, want %s (ending at the first final state)", got, want)
	}

	boom := errors.New("boom")
	s = &steps{states: []batch.Status{batch.StatusInProgress}, err: boom}
	var errs []error
	for _, err := range batch.Follow(context.Background(), s, "j", time.Microsecond) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], boom) {
		t.Errorf("Follow with a failing poll yielded %v, want a state then the error", errs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s = &steps{states: []batch.Status{batch.StatusInProgress}}
	errs = nil
	for _, err := range batch.Follow(ctx, s, "j", time.Hour) {
		errs = append(errs, err)
	}
	if len(errs) != 2 || !errors.Is(errs[1], context.Canceled) {
		t.Errorf("Follow on a cancelled context yielded %v, want a state then context.Canceled", errs)
	}
}
