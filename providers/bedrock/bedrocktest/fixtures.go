package bedrocktest

import (
	"embed"
	"io/fs"
)

//go:embed testdata/fixtures
var fixtureFiles embed.FS

// Fixtures returns the recorded Bedrock exchanges shipped with this package: one
// directory per model, one JSON file per scenario (e.g.
// "anthropic_claude_haiku_4_5_20251001_v1_0/basic.json"), and a README.md describing
// the format. Load one with [LoadFixture]; list them with fs.Glob(Fixtures(), "*/*.json").
func Fixtures() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "testdata/fixtures")
	if err != nil {
		// fs.Sub fails only for an invalid path, and this one is a constant.
		panic("bedrocktest: " + err.Error())
	}
	return sub
}
