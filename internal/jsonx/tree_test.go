package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzParse checks the ordered tree against encoding/json:
// the same inputs are accepted, and the tree written back decodes to the same value
// (numbers as their literals, a repeated key keeping its last value).
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":[1,2.5,-0,1e400,"x",true,false,null]}`, `"\u00e9\ud83d\ude00\ud800x"`,
		`{"a":1,"a":2}`, ` 12 `, `{"a":}`, `[1,]`, `01`, `1.`, `"\x"`, "\"\xff\"", `{"a" 1}`, `[1] 2`,
		`{"z":{"<&>":"\u2028\t\u0001"},"a":[[[]]]}`, `1e700A`, "\"\xe2\x82\xff\"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var want any
		wantErr := dec.Decode(&want)
		if wantErr == nil {
			if _, err := dec.Token(); err != io.EOF {
				wantErr = errors.New("data after the JSON value")
			}
		}
		tree, err := Parse(data)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("Parse(%q) error = %v, encoding/json error = %v", data, err, wantErr)
		}
		if err != nil {
			return
		}
		out := tree.AppendJSON(nil)
		if !json.Valid(out) || !utf8.Valid(out) {
			t.Fatalf("Parse(%q).AppendJSON = %q, want valid JSON in UTF-8", data, out)
		}
		dec = json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var got any
		err = dec.Decode(&got)
		if err != nil {
			t.Fatalf("decoding Parse(%q).AppendJSON = %q: %v", data, out, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Parse(%q) differs from encoding/json (-json +tree):\n%s", data, diff)
		}
	})
}
