// Package harness starts the simulator process for the benchmarks, points the process
// environment at it (the HTTPS proxy and its throwaway CA, dummy AWS credentials, no AWS
// configuration files), and reads its request and connection counts.
package harness

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Dummy credentials every contender signs with. The simulator only checks that a SigV4
// signature is present.
const (
	AccessKey = "AKIDBENCHMARK0000000"
	SecretKey = "benchmark/secret/key/0000000000000000000"
	Region    = "us-east-1"
)

// Stats are the simulator's counts.
type Stats struct {
	Requests  int64            `json:"requests"`
	Conns     int64            `json:"conns"`
	TLSConns  int64            `json:"tls_conns"`
	Connects  int64            `json:"connects"`
	Errors    int64            `json:"errors"`
	LastError string           `json:"last_error"`
	Hosts     map[string]int64 `json:"hosts"`
}

// NewConns returns the connections opened between s and a later snapshot t.
func (s Stats) NewConns(t Stats) int64 { return t.Conns - s.Conns + t.TLSConns - s.TLSConns }

// Sim is a running simulator process.
type Sim struct {
	// URL is the plain-HTTP endpoint, for clients that take a base endpoint.
	URL string
	// Proxy is the HTTPS proxy's address, for clients that hard-code Bedrock's endpoint.
	Proxy string
	// CAFile holds the proxy's throwaway CA certificate.
	CAFile string

	control string
	dir     string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	client  *http.Client
}

// Start builds (unless $BENCH_SIMSERVER names a built binary) and starts the simulator,
// and sets the environment so that every HTTP client of this process that honours
// HTTPS_PROXY reaches it for *.amazonaws.com. It must run before any HTTP client is
// used: net/http reads the proxy variables, and crypto/x509 the CA file, only once.
func Start() (*Sim, error) {
	dir, err := os.MkdirTemp("", "llmkit-bench-")
	if err != nil {
		return nil, err
	}
	bin := os.Getenv("BENCH_SIMSERVER")
	if bin == "" {
		bin = filepath.Join(dir, "simserver")
		build := exec.Command("go", "build", "-o", bin, "github.com/llmkit/llmkit/bench/cmd/simserver")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("harness: build simserver: %w", err)
		}
	}
	s := &Sim{CAFile: filepath.Join(dir, "ca.pem"), dir: dir}
	s.cmd = exec.Command(bin, "-ca", s.CAFile)
	s.cmd.Stderr = os.Stderr
	if s.stdin, err = s.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("harness: start simserver: %w", err)
	}
	line, err := bufio.NewReader(out).ReadBytes('\n')
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("harness: simserver did not report its address: %w", err)
	}
	var addrs struct{ Addr, Proxy, Control string }
	if err := json.Unmarshal(line, &addrs); err != nil {
		s.Close()
		return nil, fmt.Errorf("harness: simserver said %q: %w", line, err)
	}
	s.URL, s.Proxy, s.control = "http://"+addrs.Addr, addrs.Proxy, "http://"+addrs.Control
	s.client = &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 10 * time.Second}

	env := map[string]string{
		"HTTPS_PROXY":                 "http://" + s.Proxy,
		"https_proxy":                 "http://" + s.Proxy,
		"NO_PROXY":                    "127.0.0.1,localhost",
		"no_proxy":                    "127.0.0.1,localhost",
		"SSL_CERT_FILE":               s.CAFile,
		"AWS_ACCESS_KEY_ID":           AccessKey,
		"AWS_SECRET_ACCESS_KEY":       SecretKey,
		"AWS_REGION":                  Region,
		"AWS_DEFAULT_REGION":          Region,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "no-aws-credentials"),
	}
	for k, v := range env {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_BEARER_TOKEN_BEDROCK", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "HTTP_PROXY", "http_proxy", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
		"AWS_CA_BUNDLE", "SSL_CERT_DIR"} {
		os.Unsetenv(k)
	}
	return s, nil
}

// Stats returns the simulator's current counts.
func (s *Sim) Stats() (Stats, error) {
	var st Stats
	resp, err := s.client.Get(s.control + "/_bench/stats")
	if err != nil {
		return st, fmt.Errorf("harness: stats: %w", err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return st, fmt.Errorf("harness: stats: %w", err)
	}
	return st, nil
}

// Validate turns the simulator's check of every request body on or off.
func (s *Sim) Validate(on bool) error {
	v := "0"
	if on {
		v = "1"
	}
	resp, err := s.client.Post(s.control+"/_bench/validate?on="+v, "text/plain", nil)
	if err != nil {
		return fmt.Errorf("harness: validate: %w", err)
	}
	resp.Body.Close()
	return nil
}

// Close stops the simulator and removes its files.
func (s *Sim) Close() error {
	if s.stdin != nil {
		s.stdin.Close() // the simulator exits when its stdin closes
	}
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
	return os.RemoveAll(s.dir)
}
