// Package simtest holds what llmkit's loopback simulators (bedrocktest, openaitest)
// share: the file format of recorded exchanges; the semantic comparison of a request
// with a recorded one and its intended differences; the mismatches and problems a
// server collects while replaying; and the conformance replayer, which groups
// recordings by model and hands out each scenario's in order. Each simulator keeps what
// its protocol decides: how a recording is checked and written on the wire, which
// headers it does not replay, and the shape of its errors.
package simtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Allow declares an intended difference between a request and the recorded one, at the
// JSON path Path, for the reason Reason (required; [CheckAllow] reports an Allow without
// one). Paths look like $.toolConfig.toolChoice or $.messages[*].content[0]; [*] and .*
// match any index or key. The paths "model" and "operation" stand for the request's
// model id and operation; [CompareJSON] leaves them to the simulator.
//
// With Want and Absent unset, any value or absence at Path (and below it) is accepted.
// With Want set, the request must hold exactly that JSON value there instead of the
// recorded one; with Absent set, the request must not have Path.
type Allow struct {
	Path   string
	Reason string
	Want   json.RawMessage
	Absent bool
}

// CheckAllow returns an error for each Allow without a reason, naming the simulator's
// package (pkg) and the fixture.
func CheckAllow(pkg, fixture string, allow []Allow) []error {
	var errs []error
	for _, a := range allow {
		if strings.TrimSpace(a.Reason) == "" {
			errs = append(errs, fmt.Errorf("%s: replay %s: Allow %s has no reason", pkg, fixture, a.Path))
		}
	}
	return errs
}

// Mismatch is one difference between a request and the recorded one.
type Mismatch struct {
	Fixture string // the fixture's name
	Path    string // JSON path, e.g. $.messages[0].content[1].text, or "model" or "operation"
	Want    string // the recorded value as compact JSON, or "(absent)"
	Got     string // the value sent as compact JSON, or "(absent)"
}

// String formats m as "fixture: path: want W, got G".
func (m Mismatch) String() string {
	var b strings.Builder
	if m.Fixture != "" {
		b.WriteString(m.Fixture)
		b.WriteString(": ")
	}
	b.WriteString(m.Path)
	b.WriteString(": want ")
	b.WriteString(m.Want)
	b.WriteString(", got ")
	b.WriteString(m.Got)
	return b.String()
}

// absentText stands for a missing value in a [Mismatch].
const absentText = "(absent)"

// maxValueText bounds the length of values quoted in a [Mismatch].
const maxValueText = 200

// CompareJSON compares two JSON documents semantically: object member order and number
// spelling (0 and 0.0) do not matter. It returns one [Mismatch] per differing leaf, or
// per value present on one side only, in document order, apart from the intended
// differences in allow. It fails on invalid JSON or an unparsable Allow path.
func CompareJSON(want, got []byte, allow []Allow) ([]Mismatch, error) {
	w, err := decodeJSON(want)
	if err != nil {
		return nil, fmt.Errorf("simtest: compare: recorded JSON: %w", err)
	}
	g, err := decodeJSON(got)
	if err != nil {
		return nil, fmt.Errorf("simtest: compare: JSON sent: %w", err)
	}
	c := comparer{}
	for i, a := range allow {
		if a.Path == "model" || a.Path == "operation" {
			continue
		}
		p, err := parsePattern(a.Path)
		if err != nil {
			return nil, fmt.Errorf("simtest: compare: allow %d: %w", i, err)
		}
		ca := compiledAllow{Allow: a, pattern: p}
		if a.Want != nil {
			if ca.want, err = decodeJSON(a.Want); err != nil {
				return nil, fmt.Errorf("simtest: compare: allow %d (%s): Want: %w", i, a.Path, err)
			}
		}
		c.allow = append(c.allow, ca)
	}
	c.walk(w, g, nil, true)
	return c.out, nil
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the JSON value")
	}
	return v, nil
}

// absent marks a value missing on one side.
type absentValue struct{}

var absent any = absentValue{}

// seg is one step of a JSON path: an object key, or an array index when key is empty
// and index ≥ 0. In a pattern, index -1 with an empty key is a wildcard.
type seg struct {
	key   string
	index int
}

func (s seg) wildcard() bool { return s.key == "" && s.index < 0 }

func parsePattern(p string) ([]seg, error) {
	rest := strings.TrimPrefix(p, "$")
	var out []seg
	for len(rest) > 0 {
		switch {
		case strings.HasPrefix(rest, ".*"):
			out = append(out, seg{index: -1})
			rest = rest[2:]
		case rest[0] == '.':
			end := strings.IndexAny(rest[1:], ".[")
			if end < 0 {
				end = len(rest) - 1
			}
			key := rest[1 : 1+end]
			if key == "" {
				return nil, fmt.Errorf("path %q: empty key", p)
			}
			out = append(out, seg{key: key, index: -1})
			rest = rest[1+end:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("path %q: unclosed [", p)
			}
			in := rest[1:end]
			rest = rest[end+1:]
			switch {
			case in == "*":
				out = append(out, seg{index: -1})
			case strings.HasPrefix(in, `"`):
				key, err := strconv.Unquote(in)
				if err != nil {
					return nil, fmt.Errorf("path %q: key %s: %w", p, in, err)
				}
				out = append(out, seg{key: key, index: -1})
			default:
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("path %q: index %q is not a non-negative integer", p, in)
				}
				out = append(out, seg{index: n})
			}
		default:
			return nil, fmt.Errorf("path %q: want . or [ at %q", p, rest)
		}
	}
	return out, nil
}

func formatPath(path []seg) string {
	var b strings.Builder
	b.WriteString("$")
	for _, s := range path {
		switch {
		case s.key == "" && s.index >= 0:
			b.WriteString("[")
			b.WriteString(strconv.Itoa(s.index))
			b.WriteString("]")
		case isIdent(s.key):
			b.WriteString(".")
			b.WriteString(s.key)
		default:
			b.WriteString("[")
			b.WriteString(strconv.Quote(s.key))
			b.WriteString("]")
		}
	}
	return b.String()
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

type compiledAllow struct {
	Allow
	pattern []seg
	want    any
}

func (a *compiledAllow) matches(path []seg) bool {
	if len(a.pattern) != len(path) {
		return false
	}
	for i, p := range a.pattern {
		if p.wildcard() {
			continue
		}
		s := path[i]
		if p.key != s.key || (p.key == "" && p.index != s.index) {
			return false
		}
	}
	return true
}

type comparer struct {
	allow []compiledAllow
	out   []Mismatch
}

func (c *comparer) walk(want, got any, path []seg, useAllow bool) {
	if useAllow {
		for i := range c.allow {
			a := &c.allow[i]
			if !a.matches(path) {
				continue
			}
			switch {
			case a.Absent:
				if got != absent {
					c.add(path, absent, got)
				}
			case a.Want != nil:
				c.walk(a.want, got, path, false)
			}
			return
		}
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			c.add(path, want, got)
			return
		}
		keys := make([]string, 0, len(w)+len(g))
		for k := range w {
			keys = append(keys, k)
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			wv, ok := w[k]
			if !ok {
				wv = absent
			}
			gv, ok := g[k]
			if !ok {
				gv = absent
			}
			c.walk(wv, gv, append(path, seg{key: k, index: -1}), useAllow)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			c.add(path, want, got)
			return
		}
		for i := range max(len(w), len(g)) {
			wv, gv := absent, absent
			if i < len(w) {
				wv = w[i]
			}
			if i < len(g) {
				gv = g[i]
			}
			c.walk(wv, gv, append(path, seg{index: i}), useAllow)
		}
	default:
		if !scalarEqual(want, got) {
			c.add(path, want, got)
		}
	}
}

func scalarEqual(a, b any) bool {
	if na, ok := a.(json.Number); ok {
		nb, ok := b.(json.Number)
		if !ok {
			return false
		}
		if na == nb {
			return true
		}
		fa, err1 := strconv.ParseFloat(string(na), 64)
		fb, err2 := strconv.ParseFloat(string(nb), 64)
		return err1 == nil && err2 == nil && fa == fb
	}
	return a == b
}

func (c *comparer) add(path []seg, want, got any) {
	c.out = append(c.out, Mismatch{Path: formatPath(path), Want: valueText(want), Got: valueText(got)})
}

func valueText(v any) string {
	if v == absent {
		return absentText
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > maxValueText {
		return string(b[:maxValueText]) + "…"
	}
	return string(b)
}
