package eventstream

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	sdkes "github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/google/go-cmp/cmp"
)

type frame struct {
	msgType, eventType, exceptionType string
	extra                             sdkes.Headers
	payload                           string
}

func encode(t testing.TB, frames ...frame) []byte {
	t.Helper()
	enc := sdkes.NewEncoder()
	var b bytes.Buffer
	for _, f := range frames {
		var h sdkes.Headers
		if f.eventType != "" {
			h.Set(":event-type", sdkes.StringValue(f.eventType))
		}
		if f.exceptionType != "" {
			h.Set(":exception-type", sdkes.StringValue(f.exceptionType))
		}
		h.Set(":content-type", sdkes.StringValue("application/json"))
		h.Set(":message-type", sdkes.StringValue(f.msgType))
		h = append(h, f.extra...)
		if err := enc.Encode(&b, sdkes.Message{Headers: h, Payload: []byte(f.payload)}); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

type decoded struct {
	MessageType, EventType, ExceptionType, ContentType, Payload string
}

func readAll(d *Decoder) ([]decoded, error) {
	var out []decoded
	for {
		m, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, decoded{string(m.MessageType), string(m.EventType), string(m.ExceptionType), string(m.ContentType), string(m.Payload)})
	}
}

var sample = []frame{
	{msgType: "event", eventType: "messageStart", payload: `{"role":"assistant"}`},
	{msgType: "event", eventType: "contentBlockDelta", payload: `{"contentBlockIndex":0,"delta":{"text":"Hello"}}`,
		extra: sdkes.Headers{{Name: "n", Value: sdkes.Int64Value(7)}, {Name: "u", Value: sdkes.UUIDValue{1, 2}},
			{Name: "b", Value: sdkes.BoolValue(true)}, {Name: "x", Value: sdkes.BytesValue("raw")}}},
	{msgType: "event", eventType: "contentBlockDelta", payload: strings.Repeat("x", 40000)}, // grows the buffer
	{msgType: "exception", exceptionType: "throttlingException", payload: `{"message":"slow down"}`},
}

func want() []decoded {
	var w []decoded
	for _, f := range sample {
		w = append(w, decoded{f.msgType, f.eventType, f.exceptionType, "application/json", f.payload})
	}
	return w
}

func TestDecoderReadsFrames(t *testing.T) {
	body := encode(t, sample...)
	for _, tc := range []struct {
		name string
		r    io.Reader
	}{
		{"whole reads", bytes.NewReader(body)},
		{"one byte per read", iotest.OneByteReader(bytes.NewReader(body))},
		{"half reads", iotest.HalfReader(bytes.NewReader(body))},
		{"data with EOF", iotest.DataErrReader(bytes.NewReader(body))},
	} {
		got, err := readAll(NewDecoder(tc.r, 64))
		if err != nil {
			t.Fatalf("%s: Next: %v", tc.name, err)
		}
		if diff := cmp.Diff(want(), got); diff != "" {
			t.Errorf("%s: frames (-want +got):\n%s", tc.name, diff)
		}
	}
}

func TestDecoderHeaderLookup(t *testing.T) {
	d := NewDecoder(bytes.NewReader(encode(t, sample[1])), 0)
	m, err := d.Next()
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Header("x"); !ok || string(v) != "raw" {
		t.Errorf(`Header("x") = %q, %v, want "raw", true`, v, ok)
	}
	if v, ok := m.Header(":event-type"); !ok || string(v) != "contentBlockDelta" {
		t.Errorf(`Header(":event-type") = %q, %v, want "contentBlockDelta", true`, v, ok)
	}
	if v, ok := m.Header("n"); ok {
		t.Errorf(`Header("n") = %q, true; want false for an int64 header`, v)
	}
	if _, ok := m.Header("missing"); ok {
		t.Error(`Header("missing") found`)
	}
}

// Every cut of a body inside a frame is an error wrapping ErrTruncated, after the frames
// before the cut; a cut at a frame boundary is a clean end.
func TestDecoderTruncated(t *testing.T) {
	body := encode(t, sample[:2]...)
	first := len(encode(t, sample[0]))
	for cut := 0; cut < len(body); cut++ {
		got, err := readAll(NewDecoder(bytes.NewReader(body[:cut]), 0))
		switch {
		case cut == 0 || cut == first:
			if err != nil {
				t.Errorf("cut at %d (frame boundary): %v, want clean end", cut, err)
			}
		case !errors.Is(err, ErrTruncated):
			t.Errorf("cut at %d: err %v, want ErrTruncated", cut, err)
		case cut < first && len(got) != 0, cut > first && len(got) != 1:
			t.Errorf("cut at %d: %d frames before the error", cut, len(got))
		}
	}
}

func TestDecoderRejectsCorruptFrames(t *testing.T) {
	body := encode(t, sample[0])
	for _, tc := range []struct {
		name   string
		mutate func(b []byte)
		want   string
	}{
		{"prelude CRC", func(b []byte) { b[9] ^= 1 }, "prelude checksum mismatch"},
		{"payload byte", func(b []byte) { b[len(b)-6] ^= 1 }, "message checksum mismatch"},
		{"message CRC", func(b []byte) { b[len(b)-1] ^= 1 }, "message checksum mismatch"},
		{"headers longer than frame", func(b []byte) { setPrelude(b, uint32(len(b)), 1000) }, "lengths out of bounds"},
		{"frame shorter than minimum", func(b []byte) { setPrelude(b, 8, 0) }, "lengths out of bounds"},
		{"unknown header type", func(b []byte) { b[12+1+len(":event-type")] = 42; fixCRC(b) }, "unknown value type 42"},
		{"header value past block", func(b []byte) { b[12+1+len(":event-type")+2] = 0xff; fixCRC(b) }, "malformed header block"},
	} {
		b := bytes.Clone(body)
		tc.mutate(b)
		d := NewDecoder(bytes.NewReader(b), 0)
		_, err := d.Next()
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "frame 1") {
			t.Errorf("%s: Next() error %v, want one with %q naming frame 1", tc.name, err, tc.want)
		}
		if _, again := d.Next(); again != err {
			t.Errorf("%s: second Next() = %v, want the same error", tc.name, again)
		}
	}
}

func TestDecoderReadError(t *testing.T) {
	boom := errors.New("connection reset")
	body := encode(t, sample[0])
	r := io.MultiReader(bytes.NewReader(body), bytes.NewReader(body[:5]), iotest.ErrReader(boom))
	got, err := readAll(NewDecoder(r, 0))
	if len(got) != 1 || !errors.Is(err, boom) || !strings.Contains(err.Error(), "inside frame 2") {
		t.Errorf("readAll = %d frames, %v; want 1 frame and the read error inside frame 2", len(got), err)
	}
	_, err = readAll(NewDecoder(iotest.ErrReader(boom), 0))
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "after 0 frames") {
		t.Errorf("readAll = %v, want the read error after 0 frames", err)
	}
}

func TestDecoderAllocatesNothingPerFrame(t *testing.T) {
	body := encode(t, sample[0], sample[1], sample[3])
	r := bytes.NewReader(body)
	d := NewDecoder(r, 0)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset(body)
		d.Reset(r)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	})
	if allocs != 0 {
		t.Errorf("decoding 3 frames allocates %v times, want 0", allocs)
	}
}

func setPrelude(b []byte, total, headers uint32) {
	be := func(i int, v uint32) { b[i], b[i+1], b[i+2], b[i+3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v) }
	be(0, total)
	be(4, headers)
	be(8, crc(b[:8]))
}

func fixCRC(b []byte) {
	n := len(b)
	v := crc(b[:n-4])
	b[n-4], b[n-3], b[n-2], b[n-1] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
}

func BenchmarkDecoder(b *testing.B) {
	var frames []frame
	for range 1000 {
		frames = append(frames, frame{msgType: "event", eventType: "contentBlockDelta",
			payload: `{"contentBlockIndex":0,"delta":{"text":"Hello, wor"},"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH"}`})
	}
	body := encode(b, frames...)
	r := bytes.NewReader(body)
	d := NewDecoder(r, 0)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(body)
		d.Reset(r)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(frames)), "ns/frame")
}

func crc(b []byte) uint32 { return crc32.ChecksumIEEE(b) }
