// Package agent runs conversations on any [llm.Model]: multi-round chat sessions that
// keep their history right, and the tool loop that lets a model call Go functions until
// it has an answer. It imports no provider.
package agent
