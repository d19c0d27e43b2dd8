package llm

import "fmt"

// ResponseEvents returns the events a provider would stream for resp, in the canonical
// order: message start, each part as one block (its start, one delta, its stop), message
// stop, metadata. Accumulating them gives back resp's message, stop reason, usage and
// latency. Scripted models and simulators use it; it fails on a part that cannot be
// streamed (a [CachePoint], a client [ToolResult]). Text streams as one delta and its
// citations as [CitationDelta]s; search results, server tool results, images, documents
// and opaque blocks as one [BlockPart].
func ResponseEvents(resp *Response) ([]Event, error) {
	role := resp.Message.Role
	if role == "" {
		role = RoleAssistant
	}
	evs := make([]Event, 0, 3*len(resp.Message.Parts)+3)
	evs = append(evs, MessageStart{Role: role})
	for i, p := range resp.Message.Parts {
		switch v := p.(type) {
		case Text:
			evs = append(evs, TextDelta{Index: i, Text: v.Text})
			for _, c := range v.Citations {
				evs = append(evs, CitationDelta{Index: i, Citation: c})
			}
		case Reasoning:
			evs = append(evs, ReasoningDelta{Index: i, Text: v.Text, Signature: v.Signature, Redacted: v.Redacted})
		case ToolCall:
			evs = append(evs, ToolCallStart{Index: i, ID: v.ID, Name: v.Name, Server: v.Server}, ToolInputDelta{Index: i, Fragment: string(v.Input)})
		case SearchResult, Opaque, Image, Document, Video, Audio:
			evs = append(evs, BlockPart{Index: i, Part: p})
		case ToolResult:
			if !v.Server {
				return nil, fmt.Errorf("llm: response part %d: a client tool result cannot be streamed", i)
			}
			evs = append(evs, BlockPart{Index: i, Part: p})
		default:
			return nil, fmt.Errorf("llm: response part %d: %T cannot be streamed", i, p)
		}
		evs = append(evs, BlockStop{Index: i})
	}
	stop := resp.StopReason
	if stop == "" {
		stop = StopReasonEndTurn
	}
	raw := resp.RawStopReason
	if raw == "" {
		raw = string(stop)
	}
	evs = append(evs, MessageStop{StopReason: stop, RawStopReason: raw}, Metadata{Usage: resp.Usage, Latency: resp.Latency})
	return evs, nil
}
