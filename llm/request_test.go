package llm_test

import (
	"strings"
	"testing"

	"github.com/llmkit/llmkit/llm"
)

func TestExtraOf(t *testing.T) {
	type mine struct{ N int }
	type theirs struct{ S string }
	for _, c := range []struct {
		extra any
		want  int // N of the value found; 0 for none
	}{
		{nil, 0},
		{theirs{"x"}, 0},
		{mine{1}, 1},
		{&mine{2}, 2},
		{llm.Extras{theirs{"x"}, &mine{3}}, 3},
		{[]any{(*mine)(nil), mine{4}}, 4},
	} {
		got, err := llm.ExtraOf[mine](c.extra)
		if err != nil {
			t.Errorf("%#v: %v", c.extra, err)
			continue
		}
		if n := 0; got != nil {
			n = got.N
			if n != c.want {
				t.Errorf("%#v: found %d, want %d", c.extra, n, c.want)
			}
		} else if c.want != 0 {
			t.Errorf("%#v: found none, want %d", c.extra, c.want)
		}
	}
	if _, err := llm.ExtraOf[mine](llm.Extras{mine{1}, &mine{2}}); err == nil || !strings.Contains(err.Error(), "more than one llm_test.mine") {
		t.Errorf("two values: err %v, want one naming the type", err)
	}
}
