package openai

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3/option"
)

// errNoDone is the error a stream's body gives when it ends without "data: [DONE]".
var errNoDone = errors.New("the event stream ended without data: [DONE]")

// watchDone is an openai-go middleware for streamed calls: it wraps an event-stream
// body so that its end without the closing "data: [DONE]" event is an error rather than
// the clean end openai-go reads it as (a connection cut between events looks like the
// end of the stream).
func watchDone(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	resp, err := next(req)
	if err != nil || resp == nil || resp.Body == nil || resp.StatusCode >= 300 {
		return resp, err
	}
	if !strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/event-stream") {
		return resp, nil
	}
	resp.Body = &doneWatcher{rc: resp.Body}
	return resp, nil
}

// doneWatcher keeps the last bytes read and, at the end of the body, checks that the
// last event was [DONE].
type doneWatcher struct {
	rc   io.ReadCloser
	tail []byte
}

const doneTail = 32

func (w *doneWatcher) Read(p []byte) (int, error) {
	n, err := w.rc.Read(p)
	if n > 0 {
		if n >= doneTail {
			w.tail = append(w.tail[:0], p[n-doneTail:n]...)
		} else {
			w.tail = append(w.tail, p[:n]...)
			if len(w.tail) > doneTail {
				w.tail = append(w.tail[:0], w.tail[len(w.tail)-doneTail:]...)
			}
		}
	}
	if err == io.EOF && !bytes.HasSuffix(bytes.TrimRight(w.tail, " \r\n"), []byte("[DONE]")) {
		return n, errNoDone
	}
	return n, err
}

func (w *doneWatcher) Close() error { return w.rc.Close() }
