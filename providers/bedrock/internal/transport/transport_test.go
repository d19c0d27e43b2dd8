package transport

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

func frames(t testing.TB, payloads ...string) []byte {
	t.Helper()
	enc := eventstream.NewEncoder()
	var b bytes.Buffer
	for _, p := range payloads {
		var h eventstream.Headers
		h.Set(":event-type", eventstream.StringValue("contentBlockDelta"))
		h.Set(":message-type", eventstream.StringValue("event"))
		if err := enc.Encode(&b, eventstream.Message{Headers: h, Payload: []byte(p)}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// chunkReader returns the data in reads of at most n bytes.
type chunkReader struct {
	data []byte
	n    int
	err  error // returned after the data; io.EOF when nil
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	k := min(len(p), r.n, len(r.data))
	copy(p, r.data[:k])
	r.data = r.data[k:]
	return k, nil
}

// TestFrameWatcherEveryCut reads a three-frame body cut at every byte offset, in reads of
// every size from 1 to 20 bytes: only cuts at a frame boundary may end with io.EOF.
func TestFrameWatcherEveryCut(t *testing.T) {
	body := frames(t, `{"a":1}`, ``, `{"text":"hello, world"}`)
	var bounds []int
	for off := 0; off < len(body); {
		bounds = append(bounds, off)
		off += int(uint32(body[off])<<24 | uint32(body[off+1])<<16 | uint32(body[off+2])<<8 | uint32(body[off+3]))
	}
	bounds = append(bounds, len(body))
	isBound := func(n int) bool {
		for _, b := range bounds {
			if b == n {
				return true
			}
		}
		return false
	}
	for cut := 0; cut <= len(body); cut++ {
		for size := 1; size <= 20; size++ {
			w := NewFrameWatcher(io.NopCloser(&chunkReader{data: body[:cut], n: size}))
			got, err := io.ReadAll(w)
			if !bytes.Equal(got, body[:cut]) {
				t.Fatalf("cut %d, reads of %d: read %d bytes, want %d", cut, size, len(got), cut)
			}
			if isBound(cut) {
				if err != nil {
					t.Errorf("cut %d (a frame boundary), reads of %d: error %v, want a clean end", cut, size, err)
				}
				continue
			}
			if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) || err == io.ErrUnexpectedEOF {
				t.Errorf("cut %d (inside a frame), reads of %d: error %v, want one wrapping io.ErrUnexpectedEOF", cut, size, err)
			}
		}
	}
}

func TestFrameWatcherWrapsReadErrors(t *testing.T) {
	body := frames(t, `{"a":1}`, `{"b":2}`)
	first := len(frames(t, `{"a":1}`))
	tests := []struct {
		name   string
		data   []byte
		err    error
		reason string
		want   string
	}{
		{"cut-at-boundary", body[:first], io.ErrUnexpectedEOF, "net/http reports a chunked body without its final chunk as io.ErrUnexpectedEOF, which the SDK would take as a clean end", "body cut after 1 frames"},
		{"reset-mid-frame", body[:first+5], errors.New("connection reset by peer"), "an error inside a frame names the frame", "body cut inside frame 2"},
		{"reset-at-boundary", body[:first], errors.New("connection reset by peer"), "other errors are wrapped too", "read after 1 frames"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := io.ReadAll(NewFrameWatcher(io.NopCloser(&chunkReader{data: tt.data, n: 7, err: tt.err})))
			if err == nil || err == io.ErrUnexpectedEOF || err == io.EOF || !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: ReadAll error = %v, want a new error containing %q that wraps %v", tt.reason, err, tt.want, tt.err)
			}
		})
	}
}

func TestFrameWatcherStickyError(t *testing.T) {
	body := frames(t, `{"a":1}`)
	w := NewFrameWatcher(io.NopCloser(iotest.HalfReader(bytes.NewReader(body[:10]))))
	_, err1 := io.ReadAll(w)
	_, err2 := w.Read(make([]byte, 8))
	if err1 == nil || err2 != err1 {
		t.Errorf("second Read after %v returned %v, want the same error", err1, err2)
	}
}

func TestFrameWatcherAllocs(t *testing.T) {
	body := frames(t, `{"a":1}`, `{"b":2}`, `{"c":3}`)
	buf := make([]byte, 5)
	r := &chunkReader{}
	w := &FrameWatcher{body: io.NopCloser(r)}
	allocs := testing.AllocsPerRun(100, func() {
		r.data, r.n = body, 5
		*w = FrameWatcher{body: w.body}
		for {
			if _, err := w.Read(buf); err != nil {
				break
			}
		}
	})
	if allocs != 0 {
		t.Errorf("FrameWatcher.Read allocates %v times per stream, want 0", allocs)
	}
}

func TestIsEventStream(t *testing.T) {
	tests := []struct {
		ct   string
		want bool
	}{
		{"application/vnd.amazon.eventstream", true},
		{"Application/VND.Amazon.EventStream; charset=utf-8", true},
		{"application/json", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsEventStream(tt.ct); got != tt.want {
			t.Errorf("IsEventStream(%q) = %v, want %v", tt.ct, got, tt.want)
		}
	}
}

// FuzzFrameWatcher checks on arbitrary bytes, read in arbitrary sizes, that the watcher
// ends cleanly exactly when the body ends at a frame boundary.
func FuzzFrameWatcher(f *testing.F) {
	f.Add(frames(f, `{"a":1}`, `{"b":2}`), uint8(3))
	f.Add([]byte{0, 0, 0, 3, 1}, uint8(1))
	f.Add([]byte{0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, uint8(16))
	f.Fuzz(func(t *testing.T, data []byte, size uint8) {
		off := 0
		for off+4 <= len(data) {
			n := int(max(uint32(data[off])<<24|uint32(data[off+1])<<16|uint32(data[off+2])<<8|uint32(data[off+3]), minFrameLen))
			if n > len(data)-off {
				off = -1
				break
			}
			off += n
		}
		boundary := off == len(data)
		got, err := io.ReadAll(NewFrameWatcher(io.NopCloser(&chunkReader{data: data, n: int(size%32) + 1})))
		if !bytes.Equal(got, data) {
			t.Fatalf("read %d bytes, want %d", len(got), len(data))
		}
		if (err == nil) != boundary {
			t.Fatalf("body of %d bytes (ends at a frame boundary: %v): error %v", len(data), boundary, err)
		}
	})
}
