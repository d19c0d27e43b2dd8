// Package jsonx is llmkit's shared JSON plumbing, built on encoding/json: compaction that
// keeps member order and number literals and repairs invalid UTF-8 ([Compact]), an
// ordered JSON tree that can be edited and written back ([Node]), the members of an
// object in their order ([ObjectMembers]), JSON pointer tokens ([EscapePointer]) and the
// names of JSON kinds in error messages ([Kind]).
//
// Package llm keeps to the standard library and does not import jsonx; the one JSON
// helper it needs, llm.ObjectInput, stays there.
package jsonx
