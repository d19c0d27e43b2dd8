//go:build race

package bedrock_test

// httpclientRace reports a -race build; the long HTTPClient runs are shortened under it.
const httpclientRace = true
