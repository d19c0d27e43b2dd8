// Package mcptool gives an agent the tools of a Model Context Protocol server. It
// connects to a server — a command over stdio ([ConnectCommand]), a streamable HTTP
// endpoint ([ConnectHTTP]) or any transport of github.com/modelcontextprotocol/go-sdk
// ([Connect]) — lists its tools, and returns them as [agent.Tool]s with the server's
// JSON Schemas, names made safe for every provider ([ToolName]; an optional prefix keeps
// several servers apart), and a Run that calls the tool on the server.
//
// A result's text, images, embedded documents and structured content become the parts
// of the tool result ([Parts]); what a model API cannot take (audio, links, other
// binaries) becomes a text part describing it. A result the server marks as an error,
// and a failed call, reach the model as an error result, as with any agent tool. The
// session stays open until [Client.Close]: close it with the agent that uses the tools.
package mcptool
