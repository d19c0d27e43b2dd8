package bedrock

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConverseCoverage: the coverage table of RULES.md lists every member of every union
// and every field reachable from the Converse, ConverseStream and CountTokens inputs,
// outputs and stream events of the SDK, names no member the SDK lacks, and names tests
// that exist.
func TestConverseCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command to find the SDK's source")
	}
	want, err := converseMembers()
	if err != nil {
		t.Fatalf("listing the SDK's members: %v", err)
	}
	rules, err := os.ReadFile("RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(rules)
	start := strings.Index(text, "## Coverage of the Converse API")
	if start < 0 {
		t.Fatal("RULES.md has no coverage section")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	listed := map[string]bool{}
	tests := map[string]bool{}
	name := regexp.MustCompile("`([A-Za-z0-9.*]+)`")
	testName := regexp.MustCompile(`\bTest[A-Za-z]+`)
	for _, line := range strings.Split(section, "\n") {
		cols := strings.Split(line, "|")
		if len(cols) < 5 || !strings.Contains(cols[1], "`") {
			continue
		}
		typ := ""
		for _, m := range name.FindAllStringSubmatch(cols[1], -1) {
			n := m[1]
			if strings.HasPrefix(n, ".") {
				n = typ + n
			} else {
				typ, _, _ = strings.Cut(n, ".")
			}
			listed[n] = true
		}
		for _, tn := range testName.FindAllString(cols[3], -1) {
			tests[tn] = true
		}
	}
	sdk := map[string]bool{}
	for _, m := range want {
		sdk[m] = true
		if !listed[m] {
			t.Errorf("%s is not in the coverage table of RULES.md: say what it maps to (or that it is not supported) and which test covers it", m)
		}
	}
	for m := range listed {
		if !sdk[m] {
			t.Errorf("the coverage table lists %s, which bedrockruntime does not have (or llmkit's walk does not reach)", m)
		}
	}
	defined := map[string]bool{}
	files, _ := filepath.Glob("*_test.go")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile(`(?m)^func (Test[A-Za-z]+)\(`).FindAllStringSubmatch(string(b), -1) {
			defined[m[1]] = true
		}
	}
	for tn := range tests {
		if !defined[tn] {
			t.Errorf("the coverage table names %s, which is not a test of this package", tn)
		}
	}
}
