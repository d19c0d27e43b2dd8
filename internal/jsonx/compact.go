package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// Compact checks that data is one JSON value and returns it in a new slice without
// insignificant whitespace, its members in their order and its number literals as
// written. Each byte of invalid UTF-8 in a string becomes U+FFFD, as encoding/json reads
// it, so that the result is valid JSON in UTF-8. An error gives the offset of the first
// fault.
func Compact(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, data); err != nil {
		return nil, syntaxError(data, err)
	}
	out := buf.Bytes()
	if utf8.Valid(out) {
		return out, nil
	}
	// Outside strings the scanner takes ASCII only, so every invalid byte is in a string.
	fixed := make([]byte, 0, len(out)+16)
	for len(out) > 0 {
		r, size := utf8.DecodeRune(out)
		if r == utf8.RuneError && size == 1 {
			fixed = utf8.AppendRune(fixed, utf8.RuneError)
		} else {
			fixed = append(fixed, out[:size]...)
		}
		out = out[size:]
	}
	return fixed, nil
}

// syntaxError returns the error encoding/json finds in data, which is not valid JSON,
// with its offset: the errors of json.Compact carry none, and the check json.Unmarshal
// makes of the same bytes gives the same error with one. err is returned when that check
// passes.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(json.Unmarshal(data, new(json.RawMessage)), &se) {
		return fmt.Errorf("%v (after %d bytes)", se, se.Offset)
	}
	return err
}
