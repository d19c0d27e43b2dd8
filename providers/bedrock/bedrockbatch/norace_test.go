//go:build !race

package bedrockbatch_test

// tenThousand is the size of TestTenThousand: 10,000 records, 2,000 under the race
// detector, which slows the SDK and the stand-in about tenfold and finds the same races
// in fewer records.
const tenThousand = 10_000
