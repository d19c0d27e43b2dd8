package llm

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportBoundaries keeps the neutral packages neutral: llm, schema, agent,
// conformance and fallback must not depend on a provider, the AWS SDK, OpenTelemetry or
// the MCP SDK (the import direction the README's Layout section states).
func TestImportBoundaries(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	const mod = "github.com/llmkit/llmkit/"
	for _, pkg := range []string{"llm", "llm/llmtest", "schema", "agent", "conformance", "fallback"} {
		if _, err := os.Stat(filepath.Join("..", pkg)); err != nil {
			t.Logf("%s: not present yet", pkg)
			continue
		}
		out, err := exec.Command("go", "list", "-deps", mod+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			switch {
			case strings.HasPrefix(dep, "github.com/aws/"):
				t.Errorf("%s depends on %s: neutral packages must not import the AWS SDK", pkg, dep)
			case strings.HasPrefix(dep, mod+"providers/"):
				t.Errorf("%s depends on %s: neutral packages must not import a provider", pkg, dep)
			case strings.HasPrefix(dep, "go.opentelemetry.io/"), strings.HasPrefix(dep, "github.com/modelcontextprotocol/"):
				// Only otelllm and agent/mcptool bring these in, for the programs that use them.
				t.Errorf("%s depends on %s: neutral packages must not import OpenTelemetry or the MCP SDK", pkg, dep)
			}
		}
	}
}
