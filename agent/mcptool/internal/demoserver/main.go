// Command demoserver is a small MCP server over stdio, to try `llmkit chat --mcp`
// without installing one: it offers "add" (two integers) and "upper" (a string in
// capitals).
//
//	go run ./cmd/llmkit chat --model ID --mcp "go run ./agent/mcptool/internal/demoserver"
package main

import (
	"context"
	"log"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

type addIn struct {
	A int `json:"a" jsonschema:"first addend"`
	B int `json:"b" jsonschema:"second addend"`
}

type addOut struct {
	Sum int `json:"sum"`
}

type upperIn struct {
	Text string `json:"text" jsonschema:"the text to capitalise"`
}

func main() {
	s := mcp.NewServer(&mcp.Implementation{Name: "llmkit-demo", Version: "1.0.0"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "add", Description: "Add two integers"},
		func(_ context.Context, _ *mcp.CallToolRequest, in addIn) (*mcp.CallToolResult, addOut, error) {
			return nil, addOut{Sum: in.A + in.B}, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "upper", Description: "Write a text in capitals"},
		func(_ context.Context, _ *mcp.CallToolRequest, in upperIn) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: strings.ToUpper(in.Text)}}}, nil, nil
		})
	if err := s.Run(context.Background(), &mcp.StdioTransport{}); err != nil {
		log.Fatal(err)
	}
}
