package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/llmkit/llmkit/schema"
)

type Person struct {
	Name string `json:"name" jsonschema:"description=Full name"`
	Age  int    `json:"age"`
	Role string `json:"role,omitempty" jsonschema:"enum=admin,enum=user"`
}

func ExampleFor() {
	raw, err := schema.For[Person]()
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	json.Indent(&out, raw, "", "  ")
	fmt.Println(out.String())
	// Output:
	// {
	//   "type": "object",
	//   "properties": {
	//     "name": {
	//       "type": "string",
	//       "description": "Full name"
	//     },
	//     "age": {
	//       "type": "integer"
	//     },
	//     "role": {
	//       "type": "string",
	//       "enum": [
	//         "admin",
	//         "user"
	//       ]
	//     }
	//   },
	//   "additionalProperties": false,
	//   "required": [
	//     "name",
	//     "age"
	//   ]
	// }
}

func ExampleDecode() {
	// Some models write numbers as strings.
	answer := []byte(`{"name":"Ada Lovelace","age":"36"}`)

	_, err := schema.Decode[Person](answer, nil)
	fmt.Println(err)

	p, err := schema.Decode[Person](answer, &schema.DecodeOptions{Coerce: true})
	fmt.Printf("%+v %v\n", p, err)
	// Output:
	// schema: /age: want integer, got string
	// {Name:Ada Lovelace Age:36 Role:} <nil>
}

func ExampleSchema_Validate() {
	sch, err := schema.Compile(json.RawMessage(`{
		"type": "object",
		"properties": {"items": {"type": "array", "items": {
			"type": "object",
			"properties": {"age": {"type": "integer"}},
			"required": ["age"]
		}}}
	}`))
	if err != nil {
		panic(err)
	}
	err = sch.Validate([]byte(`{"items":[{"age":1},{"age":"2"}]}`))
	var ve *schema.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Path)
		fmt.Println(err)
	}
	// Output:
	// /items/1/age
	// schema: /items/1/age: want integer, got string
}

func ExampleCheckToolSchema() {
	// A local reference is fine; one to another document cannot travel with the tool.
	fmt.Println(schema.CheckToolSchema(json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string"}}}`)))
	fmt.Println(schema.CheckToolSchema(json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"common.json#/A"}}}`)))
	// Output:
	// <nil>
	// schema: check: /properties/a: $ref "common.json#/A" is not local: a schema travels on its own, so references must be "#" or "#/$defs/<name>"
}

// A recursive type is described with references: the root refers to itself as "#".
func ExampleFor_recursive() {
	type Comment struct {
		Text    string    `json:"text"`
		Replies []Comment `json:"replies,omitempty"`
	}
	raw, err := schema.For[Comment]()
	fmt.Println(string(raw), err)
	// Output:
	// {"type":"object","properties":{"text":{"type":"string"},"replies":{"type":"array","items":{"$ref":"#"}}},"additionalProperties":false,"required":["text"]} <nil>
}
