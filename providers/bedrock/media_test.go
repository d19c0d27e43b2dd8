package bedrock

import (
	"strings"
	"testing"
)

func TestDocumentName(t *testing.T) {
	tests := []struct {
		name, want, reason string
	}{
		{"report.pdf", "report", "a known extension is stripped"},
		{"my_report (v2) [final].docx", "my-report (v2) [final]", "underscores become hyphens; parentheses and brackets stay"},
		{"  lots   of\tspace  ", "lots of space", "whitespace runs become one space, trimmed"},
		{"résumé.txt", "r-sum-", "non-ASCII letters are replaced"},
		{"***", "document-1", "no letter or digit left: fallback"},
		{"", "document-1", "no name: fallback"},
		{strings.Repeat("a", 250), strings.Repeat("a", 200), "at most 200 characters"},
	}
	for _, tc := range tests {
		var d documentNamer
		if got := d.next(tc.name); got != tc.want {
			t.Errorf("documentNamer.next(%q) = %q, want %q (%s)", tc.name, got, tc.want, tc.reason)
		}
	}
	var d documentNamer
	first, second := d.next("a.pdf"), d.next("a.pdf")
	if first != "a" || second != "a (2)" {
		t.Errorf("documentNamer.next(a.pdf) twice = %q, %q, want a, a (2)", first, second)
	}
}
