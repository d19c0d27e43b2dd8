package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// WithPosition adds to err, a JSON syntax or type error from decoding data, the line and
// column (from 1, in bytes) where it occurred: "line 3, column 7: …". Other errors are
// returned as they are.
func WithPosition(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	default:
		return err
	}
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := max(int(off)-(bytes.LastIndexByte(before, '\n')+1), 1)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}
