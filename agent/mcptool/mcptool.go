package mcptool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/llmkit/llmkit/agent"
	"github.com/llmkit/llmkit/internal/toolname"
	"github.com/llmkit/llmkit/llm"
)

// Options configures a connection. The zero value (and nil) is usable.
type Options struct {
	// Prefix is put before every tool name, to keep the tools of several servers
	// apart ("fs_", say).
	Prefix string
	// Filter, when set, keeps only the tools for which it returns true.
	Filter func(*mcp.Tool) bool
	// Client names this program to the server; it defaults to "llmkit".
	Client *mcp.Implementation
	// HTTPClient is the HTTP client of [ConnectHTTP]; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// Client is a session with an MCP server and the server's tools as [agent.Tool]s. Close
// it when the agent that uses its tools is done. A Client is safe for concurrent use:
// an agent may run several of its tools at once.
type Client struct {
	session *mcp.ClientSession
	tools   []agent.Tool
}

// Connect connects to the MCP server at the other end of t and lists its tools. The
// session stays open until [Client.Close].
func Connect(ctx context.Context, t mcp.Transport, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	impl := o.Client
	if impl == nil {
		impl = &mcp.Implementation{Name: "llmkit"}
	}
	session, err := mcp.NewClient(impl, nil).Connect(ctx, t, nil)
	if err != nil {
		return nil, fmt.Errorf("mcptool: connect: %w", err)
	}
	c := &Client{session: session}
	if c.tools, err = c.listTools(ctx, o); err != nil {
		session.Close()
		return nil, err
	}
	return c, nil
}

// ConnectCommand starts cmd and talks MCP to it over its stdin and stdout. Closing the
// Client closes the command's stdin and waits for it to exit (terminating it if it
// does not).
func ConnectCommand(ctx context.Context, cmd *exec.Cmd, opts *Options) (*Client, error) {
	return Connect(ctx, &mcp.CommandTransport{Command: cmd}, opts)
}

// ConnectHTTP connects to the MCP server at endpoint with the streamable HTTP
// transport.
func ConnectHTTP(ctx context.Context, endpoint string, opts *Options) (*Client, error) {
	t := &mcp.StreamableClientTransport{Endpoint: endpoint}
	if opts != nil && opts.HTTPClient != nil {
		t.HTTPClient = opts.HTTPClient
	}
	return Connect(ctx, t, opts)
}

// Tools returns the server's tools, as listed when the Client connected.
func (c *Client) Tools() []agent.Tool { return append([]agent.Tool(nil), c.tools...) }

// Session returns the MCP session, for what this package does not cover (resources,
// prompts).
func (c *Client) Session() *mcp.ClientSession { return c.session }

// Close ends the session (and, for a command, the server process).
func (c *Client) Close() error {
	if err := c.session.Close(); err != nil {
		return fmt.Errorf("mcptool: close: %w", err)
	}
	return nil
}

func (c *Client) listTools(ctx context.Context, o Options) ([]agent.Tool, error) {
	var tools []agent.Tool
	seen := map[string]string{}
	for t, err := range c.session.Tools(ctx, nil) {
		if err != nil {
			return nil, fmt.Errorf("mcptool: list tools: %w", err)
		}
		if o.Filter != nil && !o.Filter(t) {
			continue
		}
		name := ToolName(o.Prefix + t.Name)
		if prev, ok := seen[name]; ok {
			return nil, fmt.Errorf("mcptool: tools %q and %q both become %q", prev, t.Name, name)
		}
		seen[name] = t.Name
		tool, err := c.tool(name, t)
		if err != nil {
			return nil, err
		}
		tools = append(tools, tool)
	}
	return tools, nil
}

// ToolName returns name with every character outside [a-zA-Z0-9_-] replaced by '_'
// and cut to 64 characters: the names every provider accepts.
func ToolName(name string) string { return toolname.Sanitize(name) }

func (c *Client) tool(name string, t *mcp.Tool) (agent.Tool, error) {
	sch := json.RawMessage(`{"type":"object","properties":{}}`)
	if t.InputSchema != nil {
		b, err := json.Marshal(t.InputSchema)
		if err != nil {
			return agent.Tool{}, fmt.Errorf("mcptool: tool %q: input schema: %w", t.Name, err)
		}
		if !bytes.Equal(b, []byte("null")) {
			sch = b
		}
	}
	desc := t.Description
	if desc == "" {
		desc = t.Title
	}
	remote := t.Name
	return agent.Tool{
		Declaration: llm.Tool{Name: name, Description: desc, InputSchema: sch},
		Run: func(ctx context.Context, input json.RawMessage) ([]llm.Part, error) {
			if len(input) == 0 {
				input = json.RawMessage("{}")
			}
			res, err := c.session.CallTool(ctx, &mcp.CallToolParams{Name: remote, Arguments: input})
			if err != nil {
				return nil, fmt.Errorf("mcp tool %s: %w", remote, err)
			}
			parts, err := Parts(res)
			if err != nil {
				return nil, fmt.Errorf("mcp tool %s: %w", remote, err)
			}
			if res.IsError {
				return nil, &ToolError{Tool: remote, Parts: parts}
			}
			return parts, nil
		},
	}, nil
}

// ToolError is the error of a call the MCP server answered with an error result. The
// agent gives the model its message, the text of the result.
type ToolError struct {
	Tool  string
	Parts []llm.Part
}

func (e *ToolError) Error() string {
	var b strings.Builder
	for _, p := range e.Parts {
		if t, ok := p.(llm.Text); ok {
			if b.Len() > 0 {
				b.WriteString("\n")
			}
			b.WriteString(t.Text)
		}
	}
	if b.Len() == 0 {
		return "mcp tool " + e.Tool + " failed"
	}
	return b.String()
}

// Parts converts an MCP tool result into the parts of an [llm.ToolResult]: text as
// [llm.Text], images as [llm.Image], embedded resources as text or an [llm.Document],
// and the structured result as JSON text unless a text part already holds it. Content
// llm has no part for (audio, resource links, binary resources that are not
// documents) becomes a text part describing it, never nothing.
func Parts(res *mcp.CallToolResult) ([]llm.Part, error) {
	if res == nil {
		return nil, errors.New("no result")
	}
	parts := make([]llm.Part, 0, len(res.Content)+1)
	for i, c := range res.Content {
		p, err := part(c)
		if err != nil {
			return nil, fmt.Errorf("content[%d]: %w", i, err)
		}
		parts = append(parts, p)
	}
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			return nil, fmt.Errorf("structured content: %w", err)
		}
		if !holdsJSON(parts, b) {
			parts = append(parts, llm.Text{Text: string(b)})
		}
	}
	return parts, nil
}

func part(c mcp.Content) (llm.Part, error) {
	switch v := c.(type) {
	case *mcp.TextContent:
		return llm.Text{Text: v.Text}, nil
	case *mcp.ImageContent:
		return llm.Image{Format: strings.TrimPrefix(v.MIMEType, "image/"), Data: v.Data}, nil
	case *mcp.AudioContent:
		return llm.Text{Text: fmt.Sprintf("[audio %s, %d bytes: not passed on, the model API takes no audio in tool results]", v.MIMEType, len(v.Data))}, nil
	case *mcp.ResourceLink:
		return llm.Text{Text: fmt.Sprintf("[resource link %q: %s %s]", v.Name, v.URI, v.MIMEType)}, nil
	case *mcp.EmbeddedResource:
		r := v.Resource
		if r == nil {
			return nil, errors.New("embedded resource without contents")
		}
		if r.Blob == nil {
			return llm.Text{Text: r.Text}, nil
		}
		if f := documentFormat(r.MIMEType); f != "" {
			return llm.Document{Name: documentName(r.URI), Format: f, Data: r.Blob}, nil
		}
		return llm.Text{Text: fmt.Sprintf("[resource %s, %s, %d bytes: not passed on, not a document the model API takes]", r.URI, r.MIMEType, len(r.Blob))}, nil
	default:
		return nil, fmt.Errorf("unknown content type %T", c)
	}
}

var documentFormats = map[string]string{
	"application/pdf":    "pdf",
	"text/csv":           "csv",
	"application/msword": "doc",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
	"application/vnd.ms-excel": "xls",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
	"text/html":     "html",
	"text/plain":    "txt",
	"text/markdown": "md",
}

func documentFormat(mimeType string) string {
	mt, _, _ := strings.Cut(mimeType, ";")
	return documentFormats[strings.TrimSpace(mt)]
}

// documentName is a document name providers accept, from a resource URI.
func documentName(uri string) string {
	name := uri
	if i := strings.LastIndexByte(name, '/'); i >= 0 && i < len(name)-1 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '(', r == ')', r == '[', r == ']':
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	if s := strings.Join(strings.Fields(b.String()), " "); s != "" {
		return s
	}
	return "document"
}

// holdsJSON reports whether a text part holds the JSON value b (the SDK's typed
// handlers put the structured result in the text content too).
func holdsJSON(parts []llm.Part, b []byte) bool {
	var want any
	if json.Unmarshal(b, &want) != nil {
		return false
	}
	wantNorm, _ := json.Marshal(want)
	for _, p := range parts {
		t, ok := p.(llm.Text)
		if !ok {
			continue
		}
		var got any
		if json.Unmarshal([]byte(t.Text), &got) != nil {
			continue
		}
		if gotNorm, _ := json.Marshal(got); bytes.Equal(gotNorm, wantNorm) {
			return true
		}
	}
	return false
}
