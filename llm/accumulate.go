package llm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Accumulator assembles streamed [Event]s into a [Response]. Blocks are keyed by their
// index; text and reasoning may start with their first delta; tool-call input arrives in
// fragments and is parsed once, when the response is built. Its cost is linear in the size
// of the stream. The zero value is ready to use. An Accumulator is not safe for concurrent
// use.
type Accumulator struct {
	role     Role
	blocks   []block
	last     int // position in blocks of the last block touched, for the common case
	stopped  bool
	stop     MessageStop
	usage    Usage
	latency  time.Duration
	extra    any
	warnings []Warning
}

type blockKind uint8

const (
	blockText blockKind = iota + 1
	blockReasoning
	blockTool
	blockPart // a whole part delivered by a BlockPart event
)

type block struct {
	index     int
	kind      blockKind
	done      bool
	text      []byte // text, reasoning text, or tool input
	signature []byte
	redacted  []byte
	id, name  string
	server    bool
	citations []Citation
	part      Part
}

// Add folds one event into the response being built. It returns an error for an event
// that cannot belong to a well-formed stream: a delta of the wrong kind for its block, a
// tool-input delta or a stop for a block never started, a block event after the message
// stopped, or a second message stop.
func (a *Accumulator) Add(ev Event) error {
	switch e := ev.(type) {
	case MessageStart:
		a.role = e.Role
	case TextDelta:
		b, err := a.open(e.Index, blockText, true)
		if err != nil {
			return err
		}
		b.text = append(b.text, e.Text...)
	case ReasoningDelta:
		b, err := a.open(e.Index, blockReasoning, true)
		if err != nil {
			return err
		}
		b.text = append(b.text, e.Text...)
		b.signature = append(b.signature, e.Signature...)
		b.redacted = append(b.redacted, e.Redacted...)
	case ToolCallStart:
		return a.start(block{index: e.Index, kind: blockTool, id: e.ID, name: e.Name, server: e.Server})
	case CitationDelta:
		b, err := a.open(e.Index, blockText, true)
		if err != nil {
			return err
		}
		b.citations = append(b.citations, e.Citation)
	case BlockPart:
		if e.Part == nil {
			return &StreamError{Reason: "block " + strconv.Itoa(e.Index) + ": nil part"}
		}
		return a.start(block{index: e.Index, kind: blockPart, part: e.Part})
	case ToolInputDelta:
		b, err := a.open(e.Index, blockTool, false)
		if err != nil {
			return err
		}
		b.text = append(b.text, e.Fragment...)
	case BlockStop:
		if a.stopped {
			return a.afterStop(e.Index)
		}
		i := a.find(e.Index)
		if i < 0 {
			return &StreamError{Reason: "stop for block " + strconv.Itoa(e.Index) + " that never started"}
		}
		if a.blocks[i].done {
			return &StreamError{Reason: "block " + strconv.Itoa(e.Index) + " stopped twice"}
		}
		a.blocks[i].done = true
	case MessageStop:
		if a.stopped {
			return &StreamError{Reason: "second message stop"}
		}
		a.stopped = true
		a.stop = e
	case Metadata:
		a.usage = e.Usage
		a.latency = e.Latency
		a.extra = e.Extra
	case Warning:
		a.warnings = append(a.warnings, e)
	case nil:
		return &StreamError{Reason: "nil event"}
	default:
		return &StreamError{Reason: fmt.Sprintf("unknown event type %T", ev)}
	}
	return nil
}

// start adds b, a block opened explicitly (a tool call's start, a part delivered
// whole), whose index must be new.
func (a *Accumulator) start(b block) error {
	if a.stopped {
		return a.afterStop(b.index)
	}
	if a.find(b.index) >= 0 {
		return &StreamError{Reason: "block " + strconv.Itoa(b.index) + " started twice"}
	}
	a.blocks = append(a.blocks, b)
	a.last = len(a.blocks) - 1
	return nil
}

func (a *Accumulator) afterStop(index int) error {
	return &StreamError{Reason: "event for block " + strconv.Itoa(index) + " after message stop"}
}

func (a *Accumulator) find(index int) int {
	if a.last < len(a.blocks) && a.blocks[a.last].index == index {
		return a.last
	}
	for i := len(a.blocks) - 1; i >= 0; i-- {
		if a.blocks[i].index == index {
			a.last = i
			return i
		}
	}
	return -1
}

// open returns the block index of kind, creating it when implicit starts are allowed.
func (a *Accumulator) open(index int, kind blockKind, implicit bool) (*block, error) {
	if a.stopped {
		return nil, a.afterStop(index)
	}
	i := a.find(index)
	if i < 0 {
		if !implicit {
			return nil, &StreamError{Reason: "delta for block " + strconv.Itoa(index) + " that never started"}
		}
		a.blocks = append(a.blocks, block{index: index, kind: kind})
		i = len(a.blocks) - 1
		a.last = i
	}
	b := &a.blocks[i]
	if b.kind != kind {
		return nil, &StreamError{Reason: fmt.Sprintf("%s delta for %s block %d", kind, b.kind, index)}
	}
	if b.done {
		return nil, &StreamError{Reason: "delta for block " + strconv.Itoa(index) + " after its stop"}
	}
	return b, nil
}

func (k blockKind) String() string {
	switch k {
	case blockText:
		return "text"
	case blockReasoning:
		return "reasoning"
	case blockTool:
		return "tool input"
	case blockPart:
		return "whole part"
	}
	return "unknown"
}

// Response builds the response from the events added so far. It fails when no
// [MessageStop] was seen, or when a tool call's input is not a JSON object — unless the
// model stopped at max_tokens, in which case the incomplete call is left out of the
// message, named in a warning, and the response reports [StopReasonMaxTokens]: such a call
// must never run. Empty tool input becomes {}.
func (a *Accumulator) Response() (*Response, error) {
	if !a.stopped {
		return nil, &StreamError{Reason: "stream ended without a message stop"}
	}
	role := a.role
	if role == "" {
		role = RoleAssistant
	}
	blocks := a.blocks
	if !slices.IsSortedFunc(blocks, byIndex) {
		blocks = slices.Clone(blocks)
		slices.SortStableFunc(blocks, byIndex)
	}
	resp := &Response{
		StopReason:    a.stop.StopReason,
		RawStopReason: a.stop.RawStopReason,
		Usage:         a.usage,
		Latency:       a.latency,
		Extra:         a.extra,
		Warnings:      slices.Clone(a.warnings),
	}
	parts := make([]Part, 0, len(blocks))
	for _, b := range blocks {
		switch b.kind {
		case blockText:
			parts = append(parts, Text{Text: string(b.text), Citations: b.citations})
		case blockPart:
			parts = append(parts, b.part)
		case blockReasoning:
			parts = append(parts, Reasoning{Text: string(b.text), Signature: string(b.signature), Redacted: cloneBytes(b.redacted)})
		case blockTool:
			input, err := ObjectInput(b.text)
			if err != nil {
				if a.stop.StopReason == StopReasonMaxTokens {
					resp.Warnings = append(resp.Warnings, WarnBlockf(WarningTruncated, b.index, "tool call %s (%s) was cut by max_tokens and left out: its input is incomplete", b.id, b.name))
					continue
				}
				return nil, &StreamError{Reason: fmt.Sprintf("tool call %s (%s) in block %d", b.id, b.name, b.index), Err: err}
			}
			parts = append(parts, ToolCall{ID: b.id, Name: b.name, Input: input, Server: b.server})
		}
	}
	resp.Message = Message{Role: role, Parts: parts}
	return resp, nil
}

func byIndex(x, y block) int { return x.index - y.index }

// ObjectInput checks that raw is a JSON object and returns it compacted (insignificant
// white space removed, so that a streamed input equals the same input sent whole); empty
// or all-space input becomes {}.
func ObjectInput(raw []byte) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return json.RawMessage("{}"), nil
	}
	if raw[0] != '{' {
		return nil, fmt.Errorf("input is not a JSON object: %.64q", raw)
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("input is not a JSON object: %.64q", raw)
	}
	return json.RawMessage(buf.Bytes()), nil
}
