package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/agent/mcptool"
)

// mcpFlag collects the --mcp flags: each an MCP server, a streamable HTTP URL or a
// command line run over stdio.
type mcpFlag []string

func (f *mcpFlag) String() string { return strings.Join(*f, ", ") }

func (f *mcpFlag) Set(v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("empty MCP server")
	}
	*f = append(*f, v)
	return nil
}

// connectMCP connects to the servers and returns their tools and a function that
// closes them.
func connectMCP(ctx context.Context, servers []string, stderr io.Writer) ([]agent.Tool, func(), error) {
	var clients []*mcptool.Client
	closeAll := func() {
		for _, c := range clients {
			c.Close()
		}
	}
	var tools []agent.Tool
	for _, s := range servers {
		var c *mcptool.Client
		var err error
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			c, err = mcptool.ConnectHTTP(ctx, s, nil)
		} else {
			args := strings.Fields(s)
			cmd := exec.Command(args[0], args[1:]...)
			cmd.Stderr = stderr
			c, err = mcptool.ConnectCommand(ctx, cmd, nil)
		}
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("--mcp %q: %w", s, err)
		}
		clients = append(clients, c)
		tools = append(tools, c.Tools()...)
	}
	return tools, closeAll, nil
}
