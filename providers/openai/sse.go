package openai

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/llmkit/llmkit/llm"
)

// errNoDone is the error of a stream whose body ends without "data: [DONE]".
var errNoDone = errors.New("the event stream ended without data: [DONE]")

// eventReader reads the data of server-sent events from a stream's body: the "data:"
// lines of an event joined with newlines, other fields ignored, comments skipped.
type eventReader struct {
	r    *bufio.Reader
	data []byte
}

func newEventReader(body io.Reader) *eventReader {
	return &eventReader{r: bufio.NewReaderSize(body, 32<<10)}
}

// next returns the next event's data, valid until the following call; io.EOF when the
// body ends (an event cut by the end is dropped: the stream is truncated), or the read
// error.
func (e *eventReader) next() ([]byte, error) {
	e.data = e.data[:0]
	have := false
	for {
		line, err := e.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for err == bufio.ErrBufferFull {
				line, err = e.r.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if err != nil {
			return nil, err // io.EOF when the body ends
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if have {
				return e.data, nil
			}
			continue
		}
		value, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok {
			continue // a comment, or an event, id or retry field
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		if have {
			e.data = append(e.data, '\n')
		}
		e.data = append(e.data, value...)
		have = true
	}
}

// isDone reports whether data is the closing [DONE].
func isDone(data []byte) bool { return bytes.Equal(bytes.TrimSpace(data), []byte("[DONE]")) }

// streamError returns the ProviderError of an error object sent as an event
// ({"error": {…}}), or nil when data holds none. It unwraps to the category of its
// code and type and to llm.ErrStream.
func streamError(data []byte, rid string) error {
	if !bytes.Contains(data, []byte(`"error"`)) {
		return nil
	}
	code, typ, msg := streamErrorObject(data)
	if code == "" && typ == "" && msg == "" {
		return nil
	}
	e := &llm.ProviderError{Provider: "openai", Op: opChatStream, RequestID: rid, Code: code, Message: msg,
		Err: &llm.StreamError{Reason: "error event in the stream"}}
	if e.Code == "" {
		e.Code = typ
	}
	e.Category, e.Retryable = categorize(0, code, typ, msg)
	return e
}
