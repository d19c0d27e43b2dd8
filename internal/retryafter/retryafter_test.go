package retryafter

import (
	"net/http"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0},
		{"7", 7 * time.Second},
		{" 2 ", 2 * time.Second},
		{"1.5", 1500 * time.Millisecond},
		{"120", 2 * time.Minute},
		{"0", 0},
		{"-3", 0},
		{"soon", 0},
		{"999999", 0}, // over a day
		{"1e20", 0},   // would overflow a Duration
		{"NaN", 0},
		{"Inf", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := Parse(tc.v, now); got != tc.want {
			t.Errorf("Parse(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestFromHeader(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name string
		h    http.Header
		want time.Duration
	}{
		{"none", http.Header{}, 0},
		{"seconds", http.Header{"Retry-After": {"3"}}, 3 * time.Second},
		{"milliseconds first", http.Header{"Retry-After-Ms": {"250"}, "Retry-After": {"3"}}, 250 * time.Millisecond},
		{"bad milliseconds fall back", http.Header{"Retry-After-Ms": {"x"}, "Retry-After": {"3"}}, 3 * time.Second},
		{"huge milliseconds fall back", http.Header{"Retry-After-Ms": {"1e30"}, "Retry-After": {"3"}}, 3 * time.Second},
		{"NaN milliseconds fall back", http.Header{"Retry-After-Ms": {"NaN"}, "Retry-After": {"3"}}, 3 * time.Second},
	} {
		if got := FromHeader(tc.h, now); got != tc.want {
			t.Errorf("FromHeader(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
