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
	err := schema.CheckToolSchema(json.RawMessage(`{"type":"object","properties":{"a":{"$ref":"#/$defs/A"}},"$defs":{"A":{"type":"string"}}}`))
	fmt.Println(err)
	// Output:
	// schema: check: (root): "$defs" is not allowed: Bedrock accepts no references or schema identifiers; inline the definition
}
