package bedrockbatch

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"os"
	"path/filepath"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/llm"
	"github.com/llmkit/llmkit/providers/bedrock"
)

// spool is a submission's input files, written locally and checked in full before
// anything is uploaded.
type spool struct {
	dir      string
	files    []spoolFile
	total    int
	bytes    int64
	warnings []batch.RecordWarning
}

// spoolFile is one input file of at most the per-file limits.
type spoolFile struct {
	name    string // file name, also the object name under the job's input folder
	path    string
	records int
	bytes   int64
}

// inputLine is one record of an input file.
type inputLine struct {
	RecordID   string          `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

// writeSpool formats every record for model and writes them in files within lim. A
// fault in a record is a *batch.RecordError; no file is kept on error.
func (s *Service) writeSpool(ctx context.Context, model string, records iter.Seq2[batch.Record, error], lim Limits) (*spool, error) {
	dir, err := os.MkdirTemp(s.opts.TempDir, "llmkit-batch-")
	if err != nil {
		return nil, fmt.Errorf("bedrockbatch: submit: %w", err)
	}
	sp := &spool{dir: dir}
	w := &spoolWriter{sp: sp, lim: lim}
	if err := w.fill(ctx, s, model, records); err != nil {
		w.close()
		sp.remove()
		return nil, err
	}
	return sp, nil
}

// fill writes every record; see writeSpool.
func (w *spoolWriter) fill(ctx context.Context, s *Service, model string, records iter.Seq2[batch.Record, error]) error {
	sp, lim := w.sp, w.lim
	ids := newIDSet()
	i := 0
	for rec, rerr := range records {
		if rerr != nil {
			return fmt.Errorf("bedrockbatch: submit: reading record #%d: %w", i, rerr)
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bedrockbatch: submit: %w", err)
		}
		if err := checkID(rec.ID); err != nil {
			return &batch.RecordError{ID: rec.ID, Index: i, Err: err}
		}
		if ids.maybeHas(rec.ID) {
			first, err := w.find(rec.ID)
			if err != nil {
				return err
			}
			if first >= 0 {
				return &batch.RecordError{ID: rec.ID, Index: i, Err: fmt.Errorf("%w (first at #%d)", batch.ErrDuplicateID, first)}
			}
		}
		ids.add(rec.ID)
		body, warnings, err := s.format(ctx, model, rec.Request)
		if err != nil {
			return &batch.RecordError{ID: rec.ID, Index: i, Err: err}
		}
		for _, wn := range warnings {
			sp.warnings = append(sp.warnings, batch.RecordWarning{ID: rec.ID, Warning: wn})
		}
		line, err := json.Marshal(inputLine{RecordID: rec.ID, ModelInput: body})
		if err != nil {
			return &batch.RecordError{ID: rec.ID, Index: i, Err: err}
		}
		if sp.total+1 > lim.MaxRecords {
			return fmt.Errorf("%w: more than %d records for model %q", batch.ErrTooMany, lim.MaxRecords, model)
		}
		if err := w.add(rec.ID, i, append(line, '\n')); err != nil {
			return err
		}
		i++
	}
	if err := w.close(); err != nil {
		return err
	}
	switch {
	case sp.total == 0:
		return batch.ErrEmpty
	case sp.total < lim.MinRecords:
		return fmt.Errorf("%w: %d records, model %q takes at least %d per job", batch.ErrTooFew, sp.total, model, lim.MinRecords)
	}
	return nil
}

// format returns the Converse body of req for a job on model, and FormatRequest's
// warnings.
func (s *Service) format(ctx context.Context, model string, req *llm.Request) ([]byte, []llm.Warning, error) {
	if req == nil {
		return nil, nil, &llm.InvalidRequestError{Provider: "bedrock", Op: opSubmit, Message: -1, Part: -1, Field: "request", Reason: "request is nil"}
	}
	if req.Model != "" && req.Model != model {
		return nil, nil, &llm.InvalidRequestError{Provider: "bedrock", Op: opSubmit, Message: -1, Part: -1, Field: "model",
			Reason: fmt.Sprintf("model %q differs from the job's model %q", req.Model, model)}
	}
	r := *req
	r.Model = model
	in, warnings, err := bedrock.FormatRequest(&r)
	if err != nil {
		var ire *llm.InvalidRequestError
		if errors.As(err, &ire) {
			ire.Op = opSubmit
		}
		return nil, nil, err
	}
	if in.ToolConfig != nil {
		// Bedrock fails such a record with a 400 in a Converse job: batch inference has no
		// tool calling (https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html).
		return nil, nil, &llm.InvalidRequestError{Provider: "bedrock", Op: opSubmit, Message: -1, Part: -1, Field: "tools",
			Reason: "batch inference does not take tools (declared tools, tool calls or results in the history, or structured output through a tool)"}
	}
	body, err := s.codec.encode(ctx, in)
	if err != nil {
		return nil, nil, err
	}
	return body, warnings, nil
}

// checkID accepts the record ids Bedrock documents ("alphanumeric string") and also '-'
// and '_', up to 256 bytes.
func checkID(id string) error {
	if id == "" {
		return errors.New("empty record id")
	}
	if len(id) > 256 {
		return fmt.Errorf("record id longer than 256 bytes")
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("record id has %q at byte %d: only letters, digits, '-' and '_' are accepted", c, i)
		}
	}
	return nil
}

// spoolWriter writes lines to the current file, starting a new one at the limits.
type spoolWriter struct {
	sp  *spool
	lim Limits
	f   *os.File
	w   *bufio.Writer
	cur *spoolFile
}

func (w *spoolWriter) add(id string, index int, line []byte) error {
	n := int64(len(line))
	if n > w.lim.BytesPerFile {
		return &batch.RecordError{ID: id, Index: index, Err: fmt.Errorf("record is %d bytes, more than the %d of an input file", n, w.lim.BytesPerFile)}
	}
	if w.sp.bytes+n > w.lim.BytesPerJob {
		return fmt.Errorf("%w: the input exceeds %d bytes, the job size limit", batch.ErrTooMany, w.lim.BytesPerJob)
	}
	if w.cur == nil || w.cur.records >= w.lim.RecordsPerFile || w.cur.bytes+n > w.lim.BytesPerFile {
		if err := w.close(); err != nil {
			return err
		}
		name := fmt.Sprintf("part-%05d.jsonl", len(w.sp.files)+1)
		path := filepath.Join(w.sp.dir, name)
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("bedrockbatch: submit: %w", err)
		}
		w.f, w.w = f, bufio.NewWriterSize(f, 64<<10)
		w.cur = &spoolFile{name: name, path: path}
	}
	if _, err := w.w.Write(line); err != nil {
		return fmt.Errorf("bedrockbatch: submit: %w", err)
	}
	w.cur.records++
	w.cur.bytes += n
	w.sp.total++
	w.sp.bytes += n
	return nil
}

// close finishes the current file.
func (w *spoolWriter) close() error {
	if w.f == nil {
		return nil
	}
	err := w.w.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	w.sp.files = append(w.sp.files, *w.cur)
	w.f, w.w, w.cur = nil, nil, nil
	if err != nil {
		return fmt.Errorf("bedrockbatch: submit: %w", err)
	}
	return nil
}

func (sp *spool) remove() { os.RemoveAll(sp.dir) }

// idSet holds the record ids of a submission as 64-bit hashes, about 10 bytes an id
// whatever its length: a hit may be a collision, which the caller settles by reading the
// files written so far (spoolWriter.find).
type idSet struct {
	seed   maphash.Seed
	hashes map[uint64]struct{}
}

func newIDSet() *idSet { return &idSet{seed: maphash.MakeSeed(), hashes: map[uint64]struct{}{}} }

func (s *idSet) maybeHas(id string) bool {
	_, ok := s.hashes[maphash.String(s.seed, id)]
	return ok
}

func (s *idSet) add(id string) { s.hashes[maphash.String(s.seed, id)] = struct{}{} }

// find returns the position of the record with the given id among those written so
// far, or -1.
func (w *spoolWriter) find(id string) (int, error) {
	if w.w != nil {
		if err := w.w.Flush(); err != nil {
			return 0, fmt.Errorf("bedrockbatch: submit: %w", err)
		}
	}
	files := w.sp.files
	if w.cur != nil {
		files = append(files[:len(files):len(files)], *w.cur)
	}
	index := 0
	for _, f := range files {
		n, found, err := findInFile(f.path, id)
		if err != nil {
			return 0, fmt.Errorf("bedrockbatch: submit: %w", err)
		}
		if found {
			return index + n, nil
		}
		index += n
	}
	return -1, nil
}

// findInFile returns the line of the record with the given id (0-based) or, when there is
// none, the number of lines.
func findInFile(path, id string) (int, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	for n := 0; ; n++ {
		var line struct {
			RecordID string `json:"recordId"`
		}
		if err := dec.Decode(&line); err == io.EOF {
			return n, false, nil
		} else if err != nil {
			return 0, false, err
		}
		if line.RecordID == id {
			return n, true, nil
		}
	}
}
