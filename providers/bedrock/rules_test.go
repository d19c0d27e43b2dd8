package bedrock

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// ruleID matches the ID of a rule in RULES.md, such as REQ-TOOL-PAIRS or SDK-TRUNCATION.
var ruleID = regexp.MustCompile(`\b(?:REQ|RESP|STREAM|ERR|SDK|WIRE)(?:-[A-Z0-9]+)+\b`)

// TestRuleReferences checks that RULES.md defines each rule once, and that every rule ID
// cited in the repository's Go and Markdown files is one it defines: a reference
// resolves inside the repository.
func TestRuleReferences(t *testing.T) {
	doc, err := os.ReadFile("RULES.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		heading, ok := strings.CutPrefix(line, "### ")
		if !ok {
			continue
		}
		id, _, _ := strings.Cut(heading, ":")
		if !ruleID.MatchString(id) || ruleID.FindString(id) != id {
			t.Errorf("RULES.md heading %q does not start with a rule ID", line)
			continue
		}
		if defined[id] {
			t.Errorf("RULES.md defines %s twice", id)
		}
		defined[id] = true
	}
	if len(defined) < 40 {
		t.Fatalf("RULES.md defines %d rules, want all of them (at least 40)", len(defined))
	}
	root := filepath.Join("..", "..")
	cited := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == "testdata" {
				return filepath.SkipDir
			}
			return nil
		}
		if ext := filepath.Ext(path); ext != ".go" && ext != ".md" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, id := range ruleID.FindAllString(string(b), -1) {
			cited++
			if !defined[id] {
				t.Errorf("%s cites %s, which RULES.md does not define", path, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if cited == 0 {
		t.Error("no rule ID cited anywhere; the walk found no files")
	}
}
