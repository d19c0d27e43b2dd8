//go:build race

package bedrocktest_test

// raceEnabled reports a -race build; the long reliability runs are shortened under it.
const raceEnabled = true
