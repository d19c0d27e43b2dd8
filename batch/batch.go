package batch

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/llmkit/llmkit/llm"
)

// Record is one request of a batch under the id that names its result.
type Record struct {
	ID      string
	Request *llm.Request
}

// Result is the outcome of one record: Response when the model answered, Err when it did
// not (never both).
type Result struct {
	ID       string
	Response *llm.Response
	Err      error
}

// SubmitOptions are the optional settings of one submission; nil means defaults.
type SubmitOptions struct {
	// Name names the job; empty lets the provider choose one.
	Name string
	// Token makes the submission idempotent: a second submission with the same token
	// returns the first job instead of starting another. Empty: no token.
	Token string
}

// Service is what a batch provider implements. Its methods are called by the program
// that runs a batch, and may be called concurrently; they do their I/O before they
// return, except Results, whose iterator does its I/O as it is ranged over.
type Service interface {
	// Submit checks every record, stores them where the provider's engine reads them, and
	// starts a job on model. Every record's request must name model or no model. Errors
	// in the records are returned before anything is stored (see the package
	// documentation).
	Submit(ctx context.Context, model string, records iter.Seq2[Record, error], opts *SubmitOptions) (*Job, error)
	// Job returns the current state of the job with the given id.
	Job(ctx context.Context, id string) (*Job, error)
	// Results yields the outcome of every record of the job, once each. It is meant for
	// a job that has ended; on a running job it yields what is written so far and the
	// rest as not processed. The error of the iterator (yielded once, last) reports a
	// failure to read the results, not a failed record.
	Results(ctx context.Context, id string) iter.Seq2[Result, error]
	// Cancel asks the provider to stop the job. Records already processed keep their
	// results.
	Cancel(ctx context.Context, id string) error
}

// Status is the state of a job.
type Status string

// The states of a job. A job starts Submitted, goes through Validating, Scheduled and
// InProgress, and ends Completed, PartiallyCompleted (not every record was processed in
// time), Failed, Stopped (by [Service.Cancel]) or Expired (never started in time).
// Stopping is a cancellation under way.
const (
	StatusSubmitted          Status = "Submitted"
	StatusValidating         Status = "Validating"
	StatusScheduled          Status = "Scheduled"
	StatusInProgress         Status = "InProgress"
	StatusStopping           Status = "Stopping"
	StatusCompleted          Status = "Completed"
	StatusPartiallyCompleted Status = "PartiallyCompleted"
	StatusFailed             Status = "Failed"
	StatusStopped            Status = "Stopped"
	StatusExpired            Status = "Expired"
)

// Done reports whether s is a final state: the job will not change any more.
func (s Status) Done() bool {
	switch s {
	case StatusCompleted, StatusPartiallyCompleted, StatusFailed, StatusStopped, StatusExpired:
		return true
	}
	return false
}

// Counts are a job's record and token counts as the provider reports them; a count the
// provider has not reported yet is 0.
type Counts struct {
	Total        int64 // records in the job
	Processed    int64 // records the engine has answered, successfully or not
	Succeeded    int64
	Failed       int64
	InputTokens  int64 // when the provider reports them (for Bedrock, once the job has ended)
	OutputTokens int64
}

// Job is the state of a batch job.
type Job struct {
	ID      string // the provider's id of the job, e.g. a Bedrock job ARN
	Name    string
	Model   string
	Status  Status
	Message string // the provider's explanation, e.g. why the job failed
	Counts  Counts
	// Submitted and Ended are the times the job was submitted and ended (zero while it
	// runs).
	Submitted time.Time
	Ended     time.Time
	// Warnings lists, on the Job that Submit returns, what the provider could not honour
	// in each record (settings dropped, repairs made); a record without warnings is
	// absent.
	Warnings []RecordWarning
}

// RecordWarning is a warning about one record's request: its code, place and detail as
// the provider reported them.
type RecordWarning struct {
	ID      string
	Warning llm.Warning
}

// Errors of a submission, to test with errors.Is.
var (
	ErrEmpty        = errors.New("batch: no records")
	ErrDuplicateID  = errors.New("batch: duplicate record id")
	ErrTooFew       = errors.New("batch: fewer records than the provider's minimum for a job")
	ErrTooMany      = errors.New("batch: more records than the provider's maximum for a job")
	ErrNotProcessed = errors.New("batch: record not processed")
)

// RecordError reports a fault in one record: its id, its position (0-based) in the
// submitted records, and the cause, to which it unwraps — an [*llm.InvalidRequestError]
// for a request the provider cannot send, [ErrDuplicateID] for a repeated id.
type RecordError struct {
	ID    string
	Index int
	Err   error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("batch: record %q (#%d): %v", e.ID, e.Index, e.Err)
}

// Unwrap returns the cause.
func (e *RecordError) Unwrap() error { return e.Err }

// Records returns an iterator over recs, for [Service.Submit].
func Records(recs []Record) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		for _, r := range recs {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// Follow polls the job with the given id every interval and yields each state it reads,
// the first at once, until the job is done (the last state yielded), ctx ends or the
// caller stops ranging. A failed poll is yielded as the error, once, and ends the
// iteration.
func Follow(ctx context.Context, s Service, id string, interval time.Duration) iter.Seq2[*Job, error] {
	return func(yield func(*Job, error) bool) {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			job, err := s.Job(ctx, id)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(job, nil) || job.Status.Done() {
				return
			}
			select {
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			case <-t.C:
			}
		}
	}
}
