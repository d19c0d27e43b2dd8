// Package bench holds llmkit's side-by-side benchmarks against the raw AWS SDK and peer
// Go libraries. It is a separate module so that the peers never enter llmkit's own
// dependencies. Run everything with ./run; see RESULTS.md.
package bench
