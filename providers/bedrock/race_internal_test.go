//go:build race

package bedrock

// raceBuild reports a -race build; long stream runs are shortened under it.
const raceBuild = true
