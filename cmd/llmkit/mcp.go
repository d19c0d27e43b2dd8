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
	"github.com/llmkit/llmkit/llm"
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

// agentTurn runs one chat turn through the tool loop: the history and line go to
// the agent, its text streams out, tool calls are shown as they run, and the
// session's history becomes the run's conversation once the run succeeds.
func (c *chat) agentTurn(ctx context.Context, line string) error {
	req := c.defaults.Clone()
	req.Messages = append(append(req.Messages, c.sess.History()...), llm.UserText(line))
	wrote := false
	for ev, err := range c.agent.Stream(ctx, req) {
		if err != nil {
			if wrote {
				fmt.Fprintln(c.e.stdout)
			}
			return err
		}
		switch e := ev.(type) {
		case agent.ModelEvent:
			if d, ok := e.Event.(llm.TextDelta); ok && d.Text != "" {
				io.WriteString(c.e.stdout, d.Text)
				wrote = true
			}
		case agent.ToolFinished:
			if wrote {
				fmt.Fprintln(c.e.stdout)
				wrote = false
			}
			status := "ok"
			if e.Result.IsError {
				status = "error"
			}
			fmt.Fprintf(c.e.stdout, "(tool %s: %s)\n", e.Call.Name, status)
		case agent.Done:
			if wrote {
				fmt.Fprintln(c.e.stdout)
			}
			c.sess.SetHistory(e.Result.Messages[len(c.defaults.Messages):])
			for _, w := range e.Result.Response.Warnings {
				fmt.Fprintf(c.e.stderr, "warning: %s\n", w)
			}
		}
	}
	return nil
}
