package bedrock

import "flag"

// soak runs the package's long reliability tests in full: TestModelReliability (500
// sequential and 64 concurrent 1,000-event streams through a Model, 100 sequential
// under -race), TestHTTPClientRequestBodyFix (300 streams on the SDK's default HTTP
// client and as many on NewHTTPClient, 100 each under -race) and TestConfigureClient (64
// concurrent streams). They take minutes under the race detector; without -soak each
// runs a short form. .ci/run runs them in full with SOAK=1. One flag serves the
// package's internal and external tests, which share a test binary.
var soak = flag.Bool("soak", false, "run the long reliability tests in full (hundreds of 1,000-event streams)")

// Soak reports the -soak flag to the package's external tests (this file is compiled
// only into the test binary).
func Soak() bool { return *soak }
