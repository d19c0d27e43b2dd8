package structured

import (
	"bytes"
	"context"
	"errors"
	"iter"
	"reflect"

	"github.com/llmkit/llmkit/llm"
)

// ObjectStream is a streamed answer holding one JSON object of type T, from [Stream].
// Range over [ObjectStream.Partials] for values of T filled in as the JSON arrives, or
// over [ObjectStream.Text] for the JSON itself; then call [ObjectStream.Object] for the
// validated value and the response. Like an [llm.Stream], it is for one goroutine at a
// time.
type ObjectStream[T any] struct {
	s      *llm.Stream
	coerce bool
}

// Stream is the streaming form of [Generate]: it asks m.Stream for one JSON object
// matching the schema of T. opts.Retries must be 0: a streamed answer that already
// reached the caller cannot be taken back.
func Stream[T any](ctx context.Context, m llm.Model, req *llm.Request, opts *Options) (*ObjectStream[T], error) {
	r, o, err := objectRequest[T]("stream", m, req, opts)
	if err != nil {
		return nil, err
	}
	if o.Retries != 0 {
		return nil, errors.New("structured: stream: Retries is not supported when streaming; use Generate")
	}
	s, err := m.Stream(ctx, r)
	if err != nil {
		return nil, err
	}
	return &ObjectStream[T]{s: s, coerce: o.Coerce}, nil
}

// Text yields the answer's text as it arrives: the object's JSON, in fragments. It
// follows the first-pass and replay rules of [llm.Stream.Text].
func (o *ObjectStream[T]) Text() iter.Seq2[string, error] { return o.s.Text() }

// Partials yields values of T as the object's JSON arrives, then the final one.
//
// Each partial value holds the members whose JSON has arrived so far, decoded
// leniently: a string still arriving is there as far as it goes; a number, a literal
// or a key still arriving is left out until it is complete; a member whose value does
// not fit its field is left at its zero value; nothing is validated. A new value is
// yielded only when it differs from the one before. Text before the object's first
// "{" (a preamble, a ```json fence) is skipped.
//
// When the stream ends, the last pair is what [ObjectStream.Object] returns: the
// validated value with a nil error, or the zero value with the stream's error or an
// [*Error]. A later call to Object returns the same value with the response. Like
// [ObjectStream.Text], a second pass replays the same values, and breaking out of the
// first pass abandons the stream (see [llm.Stream.Events]).
func (o *ObjectStream[T]) Partials() iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var p partialJSON
		var lastDoc []byte
		var last T
		yielded := false
		for text, err := range o.s.Text() {
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			p.write(text)
			doc := p.document()
			if doc == nil || bytes.Equal(doc, lastDoc) {
				continue
			}
			lastDoc = doc
			var v T
			if !decodeLenient(doc, &v) || yielded && reflect.DeepEqual(v, last) {
				continue
			}
			last, yielded = v, true
			if !yield(v, nil) {
				return
			}
		}
		v, _, err := o.Object()
		yield(v, err)
	}
}

// Stream returns the underlying stream, for its events.
func (o *ObjectStream[T]) Stream() *llm.Stream { return o.s }

// Object reads the rest of the stream and decodes the object, as [Generate] does. A
// stream that broke returns the stream's error and a nil response; an answer without a
// valid object returns an [*Error].
func (o *ObjectStream[T]) Object() (T, *llm.Response, error) {
	var zero T
	resp, err := o.s.Response()
	if err != nil {
		return zero, nil, err
	}
	v, oerr := decodeObject[T](resp, o.coerce)
	if oerr != nil {
		oerr.Attempts = 1
		return zero, resp, oerr
	}
	return v, resp, nil
}

// Close closes the stream; see [llm.Stream.Close].
func (o *ObjectStream[T]) Close() error { return o.s.Close() }
