package toolname

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	tests := []struct {
		name, err string
	}{
		{"get_weather", ""},
		{"A-z_0-9", ""},
		{strings.Repeat("a", 64), ""},
		{"", "1 to 64 characters"},
		{strings.Repeat("a", 65), "1 to 64 characters"},
		{"get weather", `character ' ' at 3`},
		{"wetter.heute", `character '.' at 6`},
		{"café", "at 3"},
	}
	for _, tc := range tests {
		err := Check(tc.name)
		if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("Check(%q) = %v, want an error containing %q (none if empty)", tc.name, err, tc.err)
		}
		if Valid(tc.name) != (err == nil) {
			t.Errorf("Valid(%q) = %v, want it to agree with Check (%v)", tc.name, Valid(tc.name), err)
		}
	}
}
