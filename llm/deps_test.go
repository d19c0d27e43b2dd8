package llm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportBoundaries keeps the neutral packages neutral: llm, schema, structured,
// agent, batch, conformance and fallback must not depend on a provider, the AWS SDK,
// OpenTelemetry or the MCP SDK, and llm, which every provider and program imports,
// depends on the standard library alone.
func TestImportBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	t.Parallel()
	const mod = "github.com/llmkit/llmkit/"
	for _, pkg := range []string{"llm", "llm/llmtest", "schema", "structured", "agent", "batch", "conformance", "fallback"} {
		if _, err := os.Stat(filepath.Join("..", pkg)); err != nil {
			t.Errorf("%s: no such package", pkg)
			continue
		}
		out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}}", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			dep, standard, _ := strings.Cut(line, " ")
			switch {
			case strings.HasPrefix(dep, "github.com/aws/"):
				t.Errorf("%s depends on %s: neutral packages must not import the AWS SDK", pkg, dep)
			case strings.HasPrefix(dep, mod+"providers/"):
				t.Errorf("%s depends on %s: neutral packages must not import a provider", pkg, dep)
			case strings.HasPrefix(dep, "go.opentelemetry.io/"), strings.HasPrefix(dep, "github.com/modelcontextprotocol/"):
				// Only otelllm and agent/mcptool bring these in, for the programs that use them.
				t.Errorf("%s depends on %s: neutral packages must not import OpenTelemetry or the MCP SDK", pkg, dep)
			case pkg == "llm" && dep != mod+"llm" && standard != "true":
				t.Errorf("llm depends on %s: llm must import only the standard library", dep)
			}
		}
	}
}
