package batchtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrock"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/llmkit/llmkit/batch"
	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// Options configures a [Server]; nil means the defaults.
type Options struct {
	// Runtime answers the records. Nil: a bedrocktest.Server of the Server's own whose
	// default reply echoes the last user text (closed with the Server).
	Runtime *bedrocktest.Server
	// FailAfter fails every job once it has processed this many records; 0: never.
	FailAfter int
	// PauseAfter holds every job once it has processed this many records, until
	// [Server.Resume] or a stop; 0: never.
	PauseAfter int
	// Addr is the address to listen on; empty means a free port on 127.0.0.1.
	Addr string
	// Logf, when set, receives a line per job state change.
	Logf func(format string, args ...any)
}

// Server is the stand-in: the job API and S3 on one loopback address. It is safe for
// concurrent use.
type Server struct {
	// URL is the base URL of both services, http://ipaddr:port.
	URL string

	opts    Options
	srv     *httptest.Server
	backend *s3mem.Backend
	runtime *bedrocktest.Server
	ownRT   bool
	http    *http.Client
	closing chan struct{}
	ctx     context.Context // ends at Close: the runtime calls of the jobs
	cancel  context.CancelFunc
	once    sync.Once
	wg      sync.WaitGroup

	mu     sync.Mutex
	jobs   []*job
	tokens map[string]*job
}

// NewServer starts a Server; the caller must Close it. It panics if it cannot listen, as
// httptest.NewServer does; [StartServer] returns the error instead.
func NewServer(opts *Options) *Server {
	s, err := StartServer(opts)
	if err != nil {
		panic(err.Error())
	}
	return s
}

// StartServer is [NewServer] returning an error when it cannot listen.
func StartServer(opts *Options) (*Server, error) {
	s := &Server{backend: s3mem.New(), closing: make(chan struct{}), tokens: map[string]*job{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if opts != nil {
		s.opts = *opts
	}
	s.runtime = s.opts.Runtime
	if s.runtime == nil {
		rt, err := bedrocktest.StartServer(&bedrocktest.Options{Default: bedrocktest.Echo()})
		if err != nil {
			return nil, err
		}
		s.runtime, s.ownRT = rt, true
	}
	s.http = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	fake := gofakes3.New(s.backend, gofakes3.WithAutoBucket(true))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /model-invocation-job", s.create)
	mux.HandleFunc("GET /model-invocation-jobs", s.list)
	mux.HandleFunc("GET /model-invocation-job/{id...}", s.get)
	mux.HandleFunc("POST /model-invocation-job/{id...}", s.stop)
	mux.Handle("/", fake.Server())
	addr := s.opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		if s.ownRT {
			s.runtime.Close()
		}
		s.cancel()
		return nil, fmt.Errorf("batchtest: listen on %s: %w", addr, err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: mux}}
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// Close stops every job, waits for them, and stops the server (and the runtime it
// started).
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closing)
		s.cancel()
		s.wg.Wait()
		s.srv.Close()
		s.http.CloseIdleConnections()
		if s.ownRT {
			s.runtime.Close()
		}
	})
}

// Runtime returns the bedrocktest.Server that answers the records, to script replies.
func (s *Server) Runtime() *bedrocktest.Server { return s.runtime }

// Config returns an aws.Config for the stand-in: region us-east-1, static credentials,
// no retries. Use it with [Server.ControlOptions] and [Server.S3Options], or take
// [Server.ControlClient] and [Server.S3Client].
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDBATCHTEST", "secret", ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// ControlClient returns a *bedrock.Client (the control plane) pointed at the stand-in.
func (s *Server) ControlClient() *bedrock.Client {
	return bedrock.NewFromConfig(s.Config(), ControlOptions(s.URL))
}

// S3Client returns an *s3.Client pointed at the stand-in, with path-style addressing.
func (s *Server) S3Client() *s3.Client {
	return s3.NewFromConfig(s.Config(), S3Options(s.URL))
}

// ControlOptions points a *bedrock.Client at a stand-in's URL (see `llmkit batch sim`),
// signing with SigV4: the SDK will not send the bearer token it takes from
// AWS_BEARER_TOKEN_BEDROCK over plain HTTP.
func ControlOptions(url string) func(*bedrock.Options) {
	return func(o *bedrock.Options) {
		o.BaseEndpoint = aws.String(url)
		o.BearerAuthTokenProvider = nil
		o.AuthSchemePreference = []string{"sigv4"}
	}
}

// S3Options points an *s3.Client at a stand-in's URL, with path-style addressing and
// checksums only where S3 requires them.
func S3Options(url string) func(*s3.Options) {
	return func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// writeJSON writes v as the JSON body of a 200 answer.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError writes a Bedrock control-plane error in the REST-JSON shape the SDK reads.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, map[string]string{"message": message})
}

func authorized(w http.ResponseWriter, r *http.Request) bool {
	if strings.TrimSpace(r.Header.Get("Authorization")) == "" {
		writeError(w, http.StatusForbidden, "AccessDeniedException", "Missing Authentication Token")
		return false
	}
	return true
}

// newJobID returns a job id of 12 lowercase letters and digits, as Bedrock's.
func newJobID() string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [12]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b[:])
}

// find returns the job with the given ARN or id.
func (s *Server) find(id string) *job {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.arn == id || j.id == id {
			return j
		}
	}
	return nil
}

// Resume lets a job held by [Options.PauseAfter] go on. It reports whether the job
// exists.
func (s *Server) Resume(id string) bool {
	j := s.find(id)
	if j == nil {
		return false
	}
	j.resumeOnce.Do(func() { close(j.resume) })
	return true
}

// Wait waits until the job has ended or is held by [Options.PauseAfter] (a held job
// being stopped is waited for until it has ended), and returns its
// status and processed count then.
func (s *Server) Wait(ctx context.Context, id string) (string, int, error) {
	j := s.find(id)
	if j == nil {
		return "", 0, fmt.Errorf("batchtest: no job %q", id)
	}
	for {
		j.mu.Lock()
		st, n, held, ch := j.status, j.processed, j.held, j.changed
		j.mu.Unlock()
		// A held job being stopped is not waited for as held: it is about to end.
		if batch.Status(st).Done() || (held && st != "Stopping") {
			return st, n, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st, n, ctx.Err()
		case <-s.closing:
			return st, n, fmt.Errorf("batchtest: server closed")
		}
	}
}

func timeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}
