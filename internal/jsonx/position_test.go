package jsonx

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestWithPosition(t *testing.T) {
	for _, c := range []struct {
		data string
		into any
		want string
	}{
		{"{\n  \"a\": 1,\n  \"b\": x\n}", &map[string]any{}, "line 3, column 8: "},
		{"{\"a\": \"s\"}", &struct{ A int }{}, "line 1, column 9: "},
	} {
		err := json.Unmarshal([]byte(c.data), c.into)
		got := WithPosition([]byte(c.data), err)
		if !strings.HasPrefix(got.Error(), c.want) || !errors.Is(got, err) {
			t.Errorf("%q: %v, want it prefixed %q and wrapping %v", c.data, got, c.want, err)
		}
	}
	other := errors.New("other")
	if got := WithPosition(nil, other); got != other {
		t.Errorf("other error: %v", got)
	}
}
