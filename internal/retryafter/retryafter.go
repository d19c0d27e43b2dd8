// Package retryafter reads how long an HTTP answer asks the caller to wait before
// trying again, for the providers' [llm.ProviderError.RetryAfter].
//
// [llm.ProviderError.RetryAfter]: https://pkg.go.dev/github.com/llmkit/llmkit/llm#ProviderError
package retryafter

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait bounds what an answer may ask for; a longer (or absurd) value reads as none.
const maxWait = 24 * time.Hour

// Parse reads a Retry-After value: a number of seconds (whole, or fractional as some
// OpenAI-compatible servers send) or an HTTP date (RFC 9110, section 10.2.3). It returns
// 0 for an absent, invalid, non-positive, past or over-a-day value.
func Parse(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		// Bounded before the conversion, which overflows (to a negative duration) for
		// a huge value, NaN or an infinity.
		if !(secs > 0 && secs <= maxWait.Seconds()) {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) && t.Sub(now) <= maxWait {
		return t.Sub(now)
	}
	return 0
}

// FromHeader reads the wait h asks for: retry-after-ms (milliseconds, sent by OpenAI)
// when it holds a positive number, else Retry-After as [Parse] reads it.
func FromHeader(h http.Header, now time.Time) time.Duration {
	if ms := strings.TrimSpace(h.Get("Retry-After-Ms")); ms != "" {
		if f, err := strconv.ParseFloat(ms, 64); err == nil && f > 0 && f <= float64(maxWait/time.Millisecond) {
			return time.Duration(f * float64(time.Millisecond))
		}
	}
	return Parse(h.Get("Retry-After"), now)
}
