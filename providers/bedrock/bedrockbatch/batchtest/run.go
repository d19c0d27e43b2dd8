package batchtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/llmkit/llmkit/batch"
)

// inputRecord is one line of an input file.
type inputRecord struct {
	RecordID   string          `json:"recordId"`
	ModelInput json.RawMessage `json:"modelInput"`
}

// outputRecord is one line of an output file.
type outputRecord struct {
	RecordID    string          `json:"recordId"`
	ModelInput  json.RawMessage `json:"modelInput"`
	ModelOutput json.RawMessage `json:"modelOutput,omitempty"`
	Error       *recordError    `json:"error,omitempty"`
}

type recordError struct {
	Code    int    `json:"errorCode"`
	Message string `json:"errorMessage"`
}

// inputFile is one input object of a job.
type inputFile struct {
	key string // the object key
	rel string // the key relative to the input folder: the output file is rel + ".out"
}

// errStopped and errFailed end a job's run early.
var (
	errStopped = errors.New("stopped")
	errFailed  = errors.New("failed")
	errClosed  = errors.New("server closed")
)

// run processes a job from Submitted to its end.
func (s *Server) run(j *job) {
	defer s.wg.Done()
	ctx := s.ctx
	s.setStatus(j, "Validating", "")
	files, total, err := s.validate(j)
	if err != nil {
		s.finish(j, "Failed", err.Error())
		return
	}
	j.update(func(j *job) { j.total = total })
	s.setStatus(j, "Scheduled", "")
	s.setStatus(j, "InProgress", "")
	for _, f := range files {
		err = s.runFile(ctx, j, f)
		if err != nil {
			break
		}
	}
	switch {
	case err == nil:
		s.finish(j, "Completed", "")
	case errors.Is(err, errStopped):
		s.finish(j, "Stopped", "")
	case errors.Is(err, errFailed):
		s.finish(j, "Failed", err.Error())
	case errors.Is(err, errClosed):
		s.finish(j, "Failed", "the stand-in was closed")
	default:
		s.finish(j, "Failed", "InternalServerException: "+err.Error())
	}
}

func (s *Server) setStatus(j *job, status, message string) {
	j.update(func(j *job) {
		if j.status == "Stopping" && !batch.Status(status).Done() {
			return
		}
		j.status, j.message = status, message
	})
	s.logf("batchtest: job %s %s %s", j.id, status, message)
}

// finish writes the manifest and ends the job.
func (s *Server) finish(j *job, status, message string) {
	j.mu.Lock()
	m := map[string]int64{
		"totalRecordCount": int64(j.total), "processedRecordCount": int64(j.processed),
		"successRecordCount": int64(j.succeeded), "errorRecordCount": int64(j.failed),
		"inputTokenCount": j.inTokens, "outputTokenCount": j.outTokens,
	}
	j.mu.Unlock()
	if status != "Failed" || j.total > 0 {
		b, _ := json.Marshal(m)
		bucket, prefix := s.outputFolder(j)
		if err := s.put(bucket, prefix+"manifest.json.out", b); err != nil {
			status, message = "Failed", "writing the manifest: "+err.Error()
		}
	}
	j.update(func(j *job) {
		j.status, j.message, j.end, j.held = status, message, time.Now(), false
	})
	s.logf("batchtest: job %s %s %s", j.id, status, message)
}

// outputFolder returns the bucket and key prefix of the job's output.
func (s *Server) outputFolder(j *job) (string, string) {
	bucket, key := splitS3(j.req.OutputDataConfig.S3.URI)
	if key != "" && !strings.HasSuffix(key, "/") {
		key += "/"
	}
	return bucket, key + j.id + "/"
}

func splitS3(uri string) (bucket, key string) {
	rest := strings.TrimPrefix(uri, "s3://")
	bucket, key, _ = strings.Cut(rest, "/")
	return bucket, key
}

func (s *Server) put(bucket, key string, b []byte) error {
	_, err := s.backend.PutObject(bucket, key, map[string]string{"Content-Type": "application/jsonl"}, bytes.NewReader(b), int64(len(b)), nil)
	if errors.Is(err, gofakes3.ErrNoSuchBucket) || gofakes3.HasErrorCode(err, gofakes3.ErrNoSuchBucket) {
		if err := s.backend.CreateBucket(bucket); err != nil {
			return err
		}
		_, err = s.backend.PutObject(bucket, key, map[string]string{"Content-Type": "application/jsonl"}, bytes.NewReader(b), int64(len(b)), nil)
	}
	return err
}

// validate lists the input files and checks every record's shape; it returns the files
// and the number of records.
func (s *Server) validate(j *job) ([]inputFile, int, error) {
	bucket, key := splitS3(j.req.InputDataConfig.S3.URI)
	var files []inputFile
	if strings.HasSuffix(key, ".jsonl") {
		files = append(files, inputFile{key: key, rel: key[strings.LastIndexByte(key, '/')+1:]})
	} else {
		if key != "" && !strings.HasSuffix(key, "/") {
			key += "/"
		}
		list, err := s.backend.ListBucket(bucket, &gofakes3.Prefix{HasPrefix: true, Prefix: key}, gofakes3.ListBucketPage{})
		if err != nil {
			return nil, 0, fmt.Errorf("ValidationException: cannot list %s: %v", j.req.InputDataConfig.S3.URI, err)
		}
		for _, c := range list.Contents {
			if strings.HasSuffix(c.Key, ".jsonl") {
				files = append(files, inputFile{key: c.Key, rel: strings.TrimPrefix(c.Key, key)})
			}
		}
		sort.Slice(files, func(a, b int) bool { return files[a].key < files[b].key })
	}
	if len(files) == 0 {
		return nil, 0, fmt.Errorf("ValidationException: no .jsonl file at %s", j.req.InputDataConfig.S3.URI)
	}
	total := 0
	for _, f := range files {
		err := s.eachRecord(bucket, f.key, func(int, inputRecord) error { total++; return nil })
		if err != nil {
			return nil, 0, err
		}
	}
	return files, total, nil
}

// eachRecord calls fn with every record of an input object.
func (s *Server) eachRecord(bucket, key string, fn func(line int, rec inputRecord) error) error {
	obj, err := s.backend.GetObject(bucket, key, nil)
	if err != nil {
		return fmt.Errorf("ValidationException: cannot read s3://%s/%s: %v", bucket, key, err)
	}
	defer obj.Contents.Close()
	sc := bufio.NewScanner(obj.Contents)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<30)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var rec inputRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil || len(rec.ModelInput) == 0 || rec.ModelInput[0] != '{' {
			return fmt.Errorf("ValidationException: s3://%s/%s line %d is not a record with recordId and modelInput", bucket, key, line)
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("ValidationException: s3://%s/%s: %v", bucket, key, err)
	}
	return nil
}

// runFile runs the records of one file and writes its output, also when the job stops
// or fails midway.
func (s *Server) runFile(ctx context.Context, j *job, f inputFile) error {
	bucket, _ := splitS3(j.req.InputDataConfig.S3.URI)
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	runErr := s.eachRecord(bucket, f.key, func(_ int, rec inputRecord) error {
		if err := s.gate(j); err != nil {
			return err
		}
		res := outputRecord{RecordID: rec.RecordID, ModelInput: rec.ModelInput}
		status, body, err := s.answer(ctx, j.req.ModelID, rec.ModelInput)
		if err != nil {
			if ctx.Err() != nil {
				return errClosed
			}
			return err
		}
		var in, outTok int64
		if status == http.StatusOK {
			res.ModelOutput = body
			in, outTok = usage(body)
		} else {
			res.Error = &recordError{Code: status, Message: errorMessage(body)}
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
		j.update(func(j *job) {
			j.processed++
			if res.Error != nil {
				j.failed++
			} else {
				j.succeeded++
			}
			j.inTokens += in
			j.outTokens += outTok
		})
		return nil
	})
	if out.Len() > 0 {
		obucket, prefix := s.outputFolder(j)
		if err := s.put(obucket, prefix+f.rel+".out", out.Bytes()); err != nil && runErr == nil {
			runErr = err
		}
	}
	return runErr
}

// gate applies stops, FailAfter and PauseAfter before a record.
func (s *Server) gate(j *job) error {
	j.mu.Lock()
	n := j.processed
	j.mu.Unlock()
	select {
	case <-j.stopReq:
		return errStopped
	case <-s.closing:
		return errClosed
	default:
	}
	if s.opts.FailAfter > 0 && n >= s.opts.FailAfter {
		return fmt.Errorf("%w: InternalServerException: the job failed after %d records (batchtest.Options.FailAfter)", errFailed, n)
	}
	if s.opts.PauseAfter > 0 && n == s.opts.PauseAfter {
		j.update(func(j *job) { j.held = true })
		defer j.update(func(j *job) { j.held = false })
		select {
		case <-j.resume:
		case <-j.stopReq:
			return errStopped
		case <-s.closing:
			return errClosed
		}
	}
	return nil
}

// answer sends one record's Converse body to the runtime simulator.
func (s *Server) answer(ctx context.Context, model string, body []byte) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.runtime.URL+"/model/"+url.PathEscape(model)+"/converse", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer batchtest")
	resp, err := s.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}

// usage returns the token counts of a Converse response body.
func usage(body []byte) (int64, int64) {
	var r struct {
		Usage struct {
			In  int64 `json:"inputTokens"`
			Out int64 `json:"outputTokens"`
		} `json:"usage"`
	}
	json.Unmarshal(body, &r)
	return r.Usage.In, r.Usage.Out
}

// errorMessage returns the message of an error body ("message" or "Message": encoding/json
// matches member names in any case).
func errorMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) != nil {
		return strings.TrimSpace(string(body))
	}
	return e.Message
}
