// Package eventstream reads the binary frames of the AWS event-stream encoding
// (application/vnd.amazon.eventstream), as Bedrock's ConverseStream answers carry them.
//
// A frame is a prelude (total length and headers length, both big-endian uint32) with its
// CRC-32, a block of headers, a payload, and a CRC-32 of everything before it. A [Decoder]
// reads frames from a body into one buffer it reuses, checks both CRCs and the header
// block's structure, and hands out the headers and payload as slices of that buffer: it
// allocates nothing per frame once its buffer fits the largest frame. It sees every frame
// boundary, so a body that ends inside a frame is an error, never a clean end.
package eventstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Frame size limits. A frame outside them is rejected before its bytes are read.
const (
	preludeLen  = 12 // total length, headers length, prelude CRC
	minFrameLen = preludeLen + 4
	// MaxPayloadLen is the largest payload a frame may carry (16 MiB, the limit AWS
	// services document for event-stream messages).
	MaxPayloadLen = 16 << 20
	// MaxHeadersLen is the largest header block a frame may carry (128 KiB).
	MaxHeadersLen = 128 << 10
)

// ErrTruncated is wrapped by the error [Decoder.Next] returns when the body ends inside a
// frame. It is io.ErrUnexpectedEOF, so errors.Is(err, io.ErrUnexpectedEOF) holds too.
var ErrTruncated = io.ErrUnexpectedEOF

// Header value types of the encoding.
const (
	typeTrue      = 0
	typeFalse     = 1
	typeByte      = 2
	typeInt16     = 3
	typeInt32     = 4
	typeInt64     = 5
	typeBytes     = 6
	typeString    = 7
	typeTimestamp = 8
	typeUUID      = 9
)

// Message is one decoded frame. Its slices point into the [Decoder]'s buffer and are
// valid until the next call of [Decoder.Next].
type Message struct {
	// Headers is the raw header block; see [Message.Header].
	Headers []byte
	// Payload is the frame's payload.
	Payload []byte
	// Frame is the whole frame, prelude and CRCs included.
	Frame []byte
	// MessageType, EventType, ExceptionType and ContentType are the values of the
	// :message-type, :event-type, :exception-type and :content-type headers, or nil when
	// the frame has no such header or its last one is not a string.
	MessageType, EventType, ExceptionType, ContentType []byte
}

// Header returns the value of the string or bytes header name, and whether the frame
// has one. It allocates nothing.
func (m *Message) Header(name string) ([]byte, bool) {
	var v []byte
	found := false
	_ = walkHeaders(m.Headers, func(n []byte, typ byte, val []byte) {
		if !found && string(n) == name && (typ == typeString || typ == typeBytes) {
			v, found = val, true
		}
	})
	return v, found
}

// Decoder reads frames from an event-stream body. The zero value is not usable; call
// [NewDecoder]. A Decoder is not safe for concurrent use.
type Decoder struct {
	r          io.Reader
	buf        []byte
	start, end int // unread bytes are buf[start:end]
	frames     int // frames returned
	err        error
}

// NewDecoder returns a Decoder reading from r with a buffer of at least size bytes (a
// default when size is not positive); the buffer grows to the largest frame seen.
func NewDecoder(r io.Reader, size int) *Decoder {
	if size <= 0 {
		size = 16 << 10
	}
	return &Decoder{r: r, buf: make([]byte, max(size, minFrameLen))}
}

// Reset makes d read from r, keeping its buffer.
func (d *Decoder) Reset(r io.Reader) {
	d.r, d.start, d.end, d.frames, d.err = r, 0, 0, 0, nil
}

// Next reads the next frame. At the end of the body between two frames it returns
// io.EOF. A body that ends inside a frame, a read error, a length out of bounds, a CRC
// mismatch or a malformed header block is an error naming the frame (counted from 1),
// and every later call returns it again.
func (d *Decoder) Next() (Message, error) {
	if d.err != nil {
		return Message{}, d.err
	}
	m, err := d.next()
	if err != nil {
		d.err = err
		return Message{}, err
	}
	d.frames++
	return m, nil
}

func (d *Decoder) next() (Message, error) {
	if err := d.fill(preludeLen); err != nil {
		return Message{}, err
	}
	p := d.buf[d.start:d.end]
	total := binary.BigEndian.Uint32(p)
	hlen := binary.BigEndian.Uint32(p[4:])
	if got, want := crc32.ChecksumIEEE(p[:8]), binary.BigEndian.Uint32(p[8:]); got != want {
		return Message{}, d.errorf("prelude checksum mismatch (computed %08x, frame says %08x)", got, want)
	}
	if total < minFrameLen || hlen > MaxHeadersLen || uint64(hlen) > uint64(total-minFrameLen) ||
		total-minFrameLen-hlen > MaxPayloadLen {
		return Message{}, d.errorf("lengths out of bounds (total %d, headers %d)", total, hlen)
	}
	if err := d.fill(int(total)); err != nil {
		return Message{}, err
	}
	f := d.buf[d.start : d.start+int(total)]
	body := f[:total-4]
	if got, want := crc32.ChecksumIEEE(body), binary.BigEndian.Uint32(f[total-4:]); got != want {
		return Message{}, d.errorf("message checksum mismatch (computed %08x, frame says %08x)", got, want)
	}
	d.start += int(total)
	m := Message{Frame: f, Headers: f[preludeLen : preludeLen+hlen], Payload: body[preludeLen+hlen:]}
	err := walkHeaders(m.Headers, func(n []byte, typ byte, val []byte) {
		if typ != typeString {
			val = nil // a later header of another type replaces an earlier one, as in the SDK
		}
		switch string(n) {
		case ":message-type":
			m.MessageType = val
		case ":event-type":
			m.EventType = val
		case ":exception-type":
			m.ExceptionType = val
		case ":content-type":
			m.ContentType = val
		}
	})
	if err != nil {
		return Message{}, d.errorf("%v", err)
	}
	return m, nil
}

func (d *Decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("eventstream: frame %d: %s", d.frames+1, fmt.Sprintf(format, args...))
}

// fill makes at least n unread bytes available in d.buf[d.start:d.end], moving them to
// the front of the buffer or growing it as needed.
func (d *Decoder) fill(n int) error {
	if d.end-d.start >= n {
		return nil
	}
	if d.start+n > len(d.buf) {
		if n > len(d.buf) {
			nb := make([]byte, max(n, 2*len(d.buf)))
			d.end = copy(nb, d.buf[d.start:d.end])
			d.buf = nb
		} else {
			d.end = copy(d.buf, d.buf[d.start:d.end])
		}
		d.start = 0
	}
	for empty := 0; d.end-d.start < n; {
		k, err := d.r.Read(d.buf[d.end:])
		d.end += k
		if d.end-d.start >= n {
			return nil
		}
		if err == nil {
			if k > 0 {
				empty = 0
				continue
			}
			if empty++; empty < 100 {
				continue
			}
			err = io.ErrNoProgress
		}
		have := d.end - d.start
		switch {
		case err == io.EOF && have == 0:
			return io.EOF
		case err == io.EOF:
			return fmt.Errorf("eventstream: body ended inside frame %d, %d of %d bytes read: %w", d.frames+1, have, n, ErrTruncated)
		case have > 0:
			return fmt.Errorf("eventstream: body cut inside frame %d, %d of %d bytes read: %w", d.frames+1, have, n, err)
		default:
			return fmt.Errorf("eventstream: read after %d frames: %w", d.frames, err)
		}
	}
	return nil
}

var errHeaders = errors.New("malformed header block")

// walkHeaders calls fn for each header of a header block, with the value of string,
// bytes and fixed-size headers as a slice; it reports a block that does not parse.
func walkHeaders(b []byte, fn func(name []byte, typ byte, val []byte)) error {
	for len(b) > 0 {
		nl := int(b[0])
		if len(b) < 1+nl+1 {
			return errHeaders
		}
		name := b[1 : 1+nl]
		typ := b[1+nl]
		b = b[2+nl:]
		var vl int
		switch typ {
		case typeTrue, typeFalse:
			vl = 0
		case typeByte:
			vl = 1
		case typeInt16:
			vl = 2
		case typeInt32:
			vl = 4
		case typeInt64, typeTimestamp:
			vl = 8
		case typeUUID:
			vl = 16
		case typeBytes, typeString:
			if len(b) < 2 {
				return errHeaders
			}
			vl = int(binary.BigEndian.Uint16(b))
			b = b[2:]
		default:
			return fmt.Errorf("header %q has unknown value type %d", name, typ)
		}
		if len(b) < vl {
			return errHeaders
		}
		fn(name, typ, b[:vl])
		b = b[vl:]
	}
	return nil
}
