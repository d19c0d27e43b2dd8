package batchtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmkit/llmkit/batch"
)

// createRequest is the body of CreateModelInvocationJob.
type createRequest struct {
	ClientRequestToken  string          `json:"clientRequestToken"`
	JobName             string          `json:"jobName"`
	ModelID             string          `json:"modelId"`
	RoleARN             string          `json:"roleArn"`
	ModelInvocationType string          `json:"modelInvocationType"`
	InputDataConfig     inputConfig     `json:"inputDataConfig"`
	OutputDataConfig    outputConfig    `json:"outputDataConfig"`
	TimeoutHours        int             `json:"timeoutDurationInHours,omitempty"`
	Tags                []tag           `json:"tags,omitempty"`
	VPCConfig           json.RawMessage `json:"vpcConfig,omitempty"`
}

type inputConfig struct {
	S3 struct {
		URI    string `json:"s3Uri"`
		Format string `json:"s3InputFormat,omitempty"`
		Owner  string `json:"s3BucketOwner,omitempty"`
	} `json:"s3InputDataConfig"`
}

type outputConfig struct {
	S3 struct {
		URI   string `json:"s3Uri"`
		KMS   string `json:"s3EncryptionKeyId,omitempty"`
		Owner string `json:"s3BucketOwner,omitempty"`
	} `json:"s3OutputDataConfig"`
}

type tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// job is one model invocation job.
type job struct {
	arn, id string
	req     createRequest
	submit  time.Time
	stopReq chan struct{} // closed by StopModelInvocationJob
	stopped sync.Once
	resume  chan struct{} // closed by Server.Resume
	// resumeOnce guards resume.
	resumeOnce sync.Once

	mu        sync.Mutex
	status    string
	message   string
	total     int
	processed int
	succeeded int
	failed    int
	inTokens  int64
	outTokens int64
	held      bool
	end       time.Time
	modified  time.Time
	changed   chan struct{} // closed and replaced on every change
}

// update changes the job under its lock and wakes the waiters.
func (j *job) update(f func(j *job)) {
	j.mu.Lock()
	f(j)
	j.modified = time.Now()
	close(j.changed)
	j.changed = make(chan struct{})
	j.mu.Unlock()
}

// summary is the job in the JSON shape of GetModelInvocationJob and of a
// ListModelInvocationJobs summary.
func (j *job) summary() map[string]any {
	j.mu.Lock()
	defer j.mu.Unlock()
	m := map[string]any{
		"jobArn":               j.arn,
		"jobName":              j.req.JobName,
		"modelId":              j.req.ModelID,
		"roleArn":              j.req.RoleARN,
		"status":               j.status,
		"submitTime":           timeString(j.submit),
		"lastModifiedTime":     timeString(j.modified),
		"inputDataConfig":      j.req.InputDataConfig,
		"outputDataConfig":     j.req.OutputDataConfig,
		"totalRecordCount":     j.total,
		"processedRecordCount": j.processed,
		"successRecordCount":   j.succeeded,
		"errorRecordCount":     j.failed,
	}
	if j.req.ClientRequestToken != "" {
		m["clientRequestToken"] = j.req.ClientRequestToken
	}
	if j.req.ModelInvocationType != "" {
		m["modelInvocationType"] = j.req.ModelInvocationType
	}
	if j.message != "" {
		m["message"] = j.message
	}
	if !j.end.IsZero() {
		m["endTime"] = timeString(j.end)
	}
	if j.req.TimeoutHours > 0 {
		m["timeoutDurationInHours"] = j.req.TimeoutHours
	}
	if len(j.req.VPCConfig) > 0 {
		m["vpcConfig"] = j.req.VPCConfig
	}
	return m
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r) {
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationException", "malformed request: "+err.Error())
		return
	}
	switch {
	case req.JobName == "" || req.ModelID == "" || req.RoleARN == "":
		writeError(w, http.StatusBadRequest, "ValidationException", "jobName, modelId and roleArn are required")
		return
	case !strings.HasPrefix(req.InputDataConfig.S3.URI, "s3://") || !strings.HasPrefix(req.OutputDataConfig.S3.URI, "s3://"):
		writeError(w, http.StatusBadRequest, "ValidationException", "inputDataConfig and outputDataConfig need an s3Uri")
		return
	}
	s.mu.Lock()
	if j := s.tokens[req.ClientRequestToken]; j != nil && req.ClientRequestToken != "" {
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]string{"jobArn": j.arn})
		return
	}
	for _, j := range s.jobs {
		if j.req.JobName == req.JobName {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "ConflictException", "a job named "+req.JobName+" exists")
			return
		}
	}
	id := newJobID()
	now := time.Now()
	j := &job{
		arn: "arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/" + id, id: id, req: req,
		submit: now, modified: now, status: "Submitted", stopReq: make(chan struct{}), resume: make(chan struct{}),
		changed: make(chan struct{}),
	}
	s.jobs = append(s.jobs, j)
	if req.ClientRequestToken != "" {
		s.tokens[req.ClientRequestToken] = j
	}
	s.wg.Add(1)
	s.mu.Unlock()
	s.logf("batchtest: job %s (%s) submitted on %s", id, req.JobName, req.ModelID)
	go s.run(j)
	writeJSON(w, http.StatusOK, map[string]string{"jobArn": j.arn})
}

func (s *Server) get(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r) {
		return
	}
	j := s.find(r.PathValue("id"))
	if j == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no model invocation job "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, j.summary())
}

func (s *Server) stop(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r) {
		return
	}
	id, ok := strings.CutSuffix(r.PathValue("id"), "/stop")
	if !ok {
		writeError(w, http.StatusNotFound, "UnknownOperationException", "no operation at POST "+r.URL.Path)
		return
	}
	j := s.find(id)
	if j == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFoundException", "no model invocation job "+id)
		return
	}
	j.mu.Lock()
	st := j.status
	j.mu.Unlock()
	if batch.Status(st).Done() {
		writeError(w, http.StatusBadRequest, "ValidationException", "job "+j.id+" has ended ("+st+")")
		return
	}
	j.stopped.Do(func() {
		close(j.stopReq)
		j.update(func(j *job) { j.status = "Stopping" })
	})
	writeJSON(w, http.StatusOK, map[string]any{})
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	if !authorized(w, r) {
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	jobs := append([]*job(nil), s.jobs...)
	s.mu.Unlock()
	var sums []map[string]any
	for i := len(jobs) - 1; i >= 0; i-- { // newest first
		sum := jobs[i].summary()
		if n := q.Get("nameContains"); n != "" && !strings.Contains(sum["jobName"].(string), n) {
			continue
		}
		if st := q.Get("statusEquals"); st != "" && sum["status"] != st {
			continue
		}
		sums = append(sums, sum)
	}
	from := atoiOr(q.Get("nextToken"), 0)
	size := atoiOr(q.Get("maxResults"), 100)
	from = min(from, len(sums))
	to := min(from+size, len(sums))
	out := map[string]any{"invocationJobSummaries": sums[from:to]}
	if to < len(sums) {
		out["nextToken"] = strconv.Itoa(to)
	}
	writeJSON(w, http.StatusOK, out)
}
