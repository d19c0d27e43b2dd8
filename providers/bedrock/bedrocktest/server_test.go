package bedrocktest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/llmkit/llmkit/providers/bedrock/bedrocktest"
)

// TestRouting checks that model ids with ':' and '/' (profiles, ARNs) reach the right
// route whole, for every operation (providers/bedrock/RULES.md WIRE-PATH).
func TestRouting(t *testing.T) {
	ids := []struct{ id, reason string }{
		{"anthropic.claude-3-haiku-20240307-v1:0", "a base id with a version after ':'"},
		{"global.anthropic.claude-haiku-4-5-20251001-v1:0", "a global inference profile"},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0", "an ARN with '/'"},
		{"arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-3-70b-instruct-v1:0", "an ARN with an empty account and '/'"},
	}
	s := newServer(t, nil)
	c := s.Client(nil)
	for _, tt := range ids {
		s.Enqueue(bedrocktest.Text("a"), bedrocktest.Text("b"))
		if _, err := converse(t.Context(), c, tt.id); err != nil {
			t.Errorf("%s: Converse(%s): %v", tt.reason, tt.id, err)
		}
		if r := converseStream(t.Context(), c, tt.id); r.err != nil {
			t.Errorf("%s: ConverseStream(%s): %v", tt.reason, tt.id, r.err)
		}
	}
	reqs := s.Requests()
	if len(reqs) != 2*len(ids) {
		t.Fatalf("Requests() has %d entries, want %d", len(reqs), 2*len(ids))
	}
	for i, tt := range ids {
		for j, op := range []bedrocktest.Operation{bedrocktest.OpConverse, bedrocktest.OpConverseStream} {
			r := reqs[2*i+j]
			if r.Model != tt.id || r.Op != op || r.Status != 200 {
				t.Errorf("%s: request %d = {Model %q, Op %s, Status %d}, want {%q, %s, 200}", tt.reason, 2*i+j, r.Model, r.Op, r.Status, tt.id, op)
			}
		}
	}
}

// TestRequestsKept checks what the server keeps of a request.
func TestRequestsKept(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(bedrocktest.Text("ok"))
	in := &bedrockruntime.ConverseInput{ModelId: aws.String("m"), Messages: userText("Hello world!")}
	if _, err := s.Client(nil).Converse(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("Requests() has %d entries, want 1", len(reqs))
	}
	r := reqs[0]
	wantJSON := map[string]any{"messages": []any{map[string]any{"role": "user", "content": []any{map[string]any{"text": "Hello world!"}}}}}
	if diff := cmp.Diff(wantJSON, r.JSON); diff != "" {
		t.Errorf("Request.JSON mismatch (-want +got):\n%s", diff)
	}
	var fromBody any
	if err := json.Unmarshal(r.Body, &fromBody); err != nil || !cmp.Equal(wantJSON, fromBody) {
		t.Errorf("Request.Body = %s, want the JSON sent", r.Body)
	}
	for _, h := range []string{"Authorization", "X-Amz-Date", "Amz-Sdk-Request", "Content-Type"} {
		if r.Header.Get(h) == "" {
			t.Errorf("Request.Header has no %s: %v", h, r.Header)
		}
	}
	if got := r.Header.Get("Amz-Sdk-Request"); got != "attempt=1; max=1" {
		t.Errorf("Amz-Sdk-Request = %q, want %q (retries off by default)", got, "attempt=1; max=1")
	}
}

// TestAuth checks the authentication the server requires and how the client
// authenticates.
func TestAuth(t *testing.T) {
	s := newServer(t, nil)
	post := func(t *testing.T, header map[string]string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(t.Context(), "POST", s.URL+"/model/m/converse", strings.NewReader(`{"messages":[]}`))
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp, body
	}
	now := time.Now().UTC()
	sigv4 := func(service string) string {
		return "AWS4-HMAC-SHA256 Credential=AKID/" + now.Format("20060102") + "/us-east-1/" + service + "/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
	}
	tests := []struct {
		name     string
		header   map[string]string
		reason   string
		wantCode string
		wantMsg  string
	}{
		{"missing", nil, "no Authorization header", "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"empty-bearer", map[string]string{"Authorization": "Bearer  "}, "a bearer scheme with no token", "MissingAuthenticationTokenException", "Missing Authentication Token"},
		{"other-scheme", map[string]string{"Authorization": "Basic dTpw"}, "neither SigV4 nor Bearer", "InvalidSignatureException", "Authorization header requires"},
		{"wrong-service", map[string]string{"Authorization": sigv4("s3"), "X-Amz-Date": now.Format("20060102T150405Z")}, "SigV4 scoped to another service", "InvalidSignatureException", "correct service: 'bedrock'"},
		{"expired", map[string]string{"Authorization": sigv4("bedrock"), "X-Amz-Date": now.Add(-6 * time.Minute).Format("20060102T150405Z")}, "a signature older than 5 minutes (providers/bedrock/RULES.md SDK-SIGNATURE-EXPIRY)", "InvalidSignatureException", "Signature expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, tt.header)
			if resp.StatusCode != 403 {
				t.Errorf("%s: status %d, want 403", tt.reason, resp.StatusCode)
			}
			if got := strings.SplitN(resp.Header.Get("X-Amzn-Errortype"), ":", 2)[0]; got != tt.wantCode {
				t.Errorf("%s: X-Amzn-ErrorType = %q, want %q", tt.reason, got, tt.wantCode)
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("%s: message = %q, want it to contain %q", tt.reason, msg, tt.wantMsg)
			}
			if resp.Header.Get("X-Amzn-Requestid") == "" {
				t.Errorf("%s: no X-Amzn-Requestid", tt.reason)
			}
		})
	}
	if n := s.Pending(); n != 0 {
		t.Fatalf("Pending() = %d", n)
	}

	// Refused requests do not take a queued reply.
	s.Enqueue(bedrocktest.Text("kept"))
	post(t, nil)
	if n := s.Pending(); n != 1 {
		t.Errorf("after an unauthenticated request Pending() = %d, want 1", n)
	}
	if _, err := converse(t.Context(), s.Client(nil), "m"); err != nil {
		t.Errorf("Converse after the refused request: %v", err)
	}
}

// TestClientIgnoresBearerEnv checks that the client signs with SigV4 even when
// AWS_BEARER_TOKEN_BEDROCK is set, and uses a bearer token only when asked.
func TestClientIgnoresBearerEnv(t *testing.T) {
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "from-the-environment")
	for _, tls := range []bool{false, true} {
		s := newServer(t, &bedrocktest.Options{TLS: tls})
		s.Enqueue(bedrocktest.Text("a"), bedrocktest.Text("b"), bedrocktest.Text("c"))
		if _, err := converse(t.Context(), s.Client(nil), "m"); err != nil {
			t.Fatalf("TLS %v: Converse: %v", tls, err)
		}
		if _, err := converse(t.Context(), s.Client(&bedrocktest.ClientOptions{BearerToken: "tok-123"}), "m"); err != nil {
			t.Fatalf("TLS %v: Converse with a bearer token: %v", tls, err)
		}
		if _, err := converse(t.Context(), s.Client(&bedrocktest.ClientOptions{SessionToken: "session-1"}), "m"); err != nil {
			t.Fatalf("TLS %v: Converse with a session token: %v", tls, err)
		}
		reqs := s.Requests()
		if got := reqs[0].Header.Get("Authorization"); !strings.HasPrefix(got, "AWS4-HMAC-SHA256 Credential=AKIDBEDROCKTEST/") || !strings.Contains(got, "/us-east-1/bedrock/aws4_request") {
			t.Errorf("TLS %v: default client Authorization = %q, want SigV4 for bedrock in us-east-1", tls, got)
		}
		if got := reqs[1].Header.Get("Authorization"); got != "Bearer tok-123" {
			t.Errorf("TLS %v: bearer client Authorization = %q, want %q", tls, got, "Bearer tok-123")
		}
		if got := reqs[2].Header.Get("X-Amz-Security-Token"); got != "session-1" {
			t.Errorf("TLS %v: X-Amz-Security-Token = %q, want %q", tls, got, "session-1")
		}
		if tls && !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("TLS server URL = %q, want https", s.URL)
		}
	}
}

func TestUnknownOperationAndBadBody(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(bedrocktest.Text("unused"))
	for _, tt := range []struct {
		path, body, reason string
		status             int
		code               string
	}{
		{"/model/m/count-tokens", `{}`, "an operation the server does not answer", 404, "UnknownOperationException"},
		{"/model/m/converse", `{"messages":`, "a converse body that is not JSON", 400, "SerializationException"},
	} {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", s.URL+tt.path, bytes.NewReader([]byte(tt.body)))
		req.Header.Set("Authorization", "Bearer x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := strings.SplitN(resp.Header.Get("X-Amzn-Errortype"), ":", 2)[0]; resp.StatusCode != tt.status || got != tt.code {
			t.Errorf("%s: status %d, code %q; want %d, %q", tt.reason, resp.StatusCode, got, tt.status, tt.code)
		}
	}
	if n := s.Pending(); n != 1 {
		t.Errorf("Pending() = %d, want 1: refused requests must not take replies", n)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "no such operation") {
		t.Errorf("Check() = %v, want it to report the unknown operation", err)
	}
}

// TestConfigure checks that ClientOptions.Configure is applied last.
func TestConfigure(t *testing.T) {
	s := newServer(t, nil)
	s.Enqueue(bedrocktest.Text("x"))
	c := s.Client(&bedrocktest.ClientOptions{Region: "eu-west-3", Configure: func(o *bedrockruntime.Options) { o.AppID = "bedrocktest-app" }})
	if _, err := converse(t.Context(), c, "m"); err != nil {
		t.Fatal(err)
	}
	r := s.Requests()[0]
	if !strings.Contains(r.Header.Get("Authorization"), "/eu-west-3/bedrock/") {
		t.Errorf("Authorization %q is not scoped to eu-west-3", r.Header.Get("Authorization"))
	}
	if !strings.Contains(r.Header.Get("User-Agent"), "bedrocktest-app") {
		t.Errorf("User-Agent %q lacks the app id set by Configure", r.Header.Get("User-Agent"))
	}
}

func TestCloseEndsStreams(t *testing.T) {
	s := bedrocktest.NewServer(nil)
	s.Enqueue(bedrocktest.Text("x").Pace(time.Hour, 0))
	out, err := s.Client(nil).ConverseStream(t.Context(), &bedrockruntime.ConverseStreamInput{ModelId: aws.String("m"), Messages: userText("hi")})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return while a paced stream was open")
	}
	st := out.GetStream()
	for range st.Events() {
	}
	st.Close()
	if err := st.Err(); err == nil {
		t.Errorf("stream cut by Close: Err() = nil, want an error")
	}
	var ae smithy.APIError
	if errors.As(st.Err(), &ae) {
		t.Errorf("stream cut by Close: Err() = %v, want a transport error, not an API error", st.Err())
	}
}

func TestStartServerError(t *testing.T) {
	s := newServer(t, nil)
	addr := strings.TrimPrefix(s.URL, "http://")
	if _, err := bedrocktest.StartServer(&bedrocktest.Options{Addr: addr}); err == nil || !strings.Contains(err.Error(), "bedrocktest: listen on "+addr) {
		t.Errorf("StartServer on a busy address: error %v, want one naming the address", err)
	}
	s2, err := bedrocktest.StartServer(&bedrocktest.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatalf("StartServer(127.0.0.1:0): %v", err)
	}
	defer s2.Close()
	s2.Enqueue(bedrocktest.Text("x"))
	if _, err := converse(t.Context(), s2.Client(nil), "m"); err != nil {
		t.Errorf("Converse on a server started with StartServer: %v", err)
	}
}
