// Command simserver serves the benchmark workloads as a Bedrock Runtime endpoint on
// loopback, in its own process so that a benchmark's B/op and allocs/op count only the
// client under test. It answers Converse, ConverseStream, InvokeModel and
// InvokeModelWithResponseStream with replies prepared once at start (see package
// workload), and runs a TLS-terminating HTTPS proxy for clients that hard-code the
// Bedrock endpoint: they reach it unmodified through HTTPS_PROXY, trusting a throwaway
// CA generated at start and written to the -ca file.
//
// It prints one JSON line with its addresses, then serves until its standard input is
// closed or it is signalled. On the control address, GET /_bench/stats returns request
// and connection counts; POST /_bench/validate?on=1 turns on the check of every request body against the
// request the workload expects (a mismatch is answered with a ValidationException).
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/llmkit/llmkit/bench/internal/workload"
)

// Stats are the counts the server reports.
type Stats struct {
	Requests  int64            `json:"requests"`  // model requests served
	Conns     int64            `json:"conns"`     // new plain connections
	TLSConns  int64            `json:"tls_conns"` // new connections through the proxy
	Connects  int64            `json:"connects"`  // CONNECT requests
	Errors    int64            `json:"errors"`    // requests answered with an error
	LastError string           `json:"last_error,omitempty"`
	Hosts     map[string]int64 `json:"hosts,omitempty"` // CONNECT targets
}

type bodies struct {
	converse, converseStream, invoke, invokeStream []byte
}

type server struct {
	replies  map[*workload.Workload][]bodies
	validate atomic.Bool

	requests, conns, tlsConns, connects, errors atomic.Int64

	mu        sync.Mutex
	lastError string
	hosts     map[string]int64

	reqID atomic.Int64
}

func main() {
	caFile := flag.String("ca", "", "write the proxy's throwaway CA certificate (PEM) to this file")
	flag.Parse()
	log.SetPrefix("simserver: ")
	log.SetFlags(0)

	s := &server{replies: map[*workload.Workload][]bodies{}, hosts: map[string]int64{}}
	for _, w := range workload.All {
		for i := range w.Replies {
			r := &w.Replies[i]
			s.replies[w] = append(s.replies[w], bodies{r.ConverseJSON(), r.ConverseStream(), r.InvokeJSON(), r.InvokeStream()})
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /model/{modelId}/{op}", s.model)
	// The control endpoints have their own listener, so that their connections are not
	// counted with the clients'.
	ctl := http.NewServeMux()
	ctl.HandleFunc("GET /_bench/stats", s.stats)
	ctl.HandleFunc("POST /_bench/validate", func(w http.ResponseWriter, r *http.Request) {
		s.validate.Store(r.URL.Query().Get("on") == "1")
	})
	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(cln, ctl)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	plain := &http.Server{Handler: mux, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}}
	go plain.Serve(ln)

	var proxyAddr string
	if *caFile != "" {
		tlsCfg, err := throwawayTLS(*caFile)
		if err != nil {
			log.Fatal(err)
		}
		tunnels := &chanListener{conns: make(chan net.Conn), addr: ln.Addr()}
		tlsSrv := &http.Server{Handler: mux, TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
			ConnState: func(_ net.Conn, st http.ConnState) {
				if st == http.StateNew {
					s.tlsConns.Add(1)
				}
			}}
		go tlsSrv.Serve(tunnels)
		pln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		proxy := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			s.connect(w, r, tlsCfg, tunnels)
		})}
		go proxy.Serve(pln)
		proxyAddr = pln.Addr().String()
	}

	out, _ := json.Marshal(map[string]string{"addr": ln.Addr().String(), "proxy": proxyAddr, "control": cln.Addr().String()})
	fmt.Println(string(out))

	done := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	select {
	case <-done:
	case <-sig:
	}
}

func (s *server) fail(w http.ResponseWriter, status int, code, msg string) {
	s.errors.Add(1)
	s.mu.Lock()
	s.lastError = code + ": " + msg
	s.mu.Unlock()
	log.Printf("%s: %s", code, msg)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code+":http://internal.amazon.com/coral/com.amazon.bedrock/")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Write(b)
}

func (s *server) model(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", "reading body: "+err.Error())
		return
	}
	w.Header().Set("X-Amzn-Requestid", "bench-"+strconv.FormatInt(s.reqID.Add(1), 10))
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=") {
		s.fail(w, http.StatusForbidden, "AccessDeniedException", "request is not signed with SigV4")
		return
	}
	if id := r.PathValue("modelId"); id != workload.ModelID {
		s.fail(w, http.StatusBadRequest, "ValidationException", "unexpected model id "+id)
		return
	}
	op := r.PathValue("op")
	wl, reply, err := workload.Find(op, body)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	if s.validate.Load() {
		if err := wl.CheckRequest(op, reply, body); err != nil {
			s.fail(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("%s %s: %v", wl.Name, op, err))
			return
		}
	}
	if (op == workload.OpConverseStream || op == workload.OpInvokeStream) != wl.Stream {
		s.fail(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("%s sent to %s", wl.Name, op))
		return
	}
	b := s.replies[wl][reply]
	switch op {
	case workload.OpConverse:
		writeJSON(w, b.converse)
	case workload.OpInvoke:
		writeJSON(w, b.invoke)
	case workload.OpConverseStream:
		writeStream(w, b.converseStream)
	case workload.OpInvokeStream:
		w.Header().Set("X-Amzn-Bedrock-Content-Type", "application/json")
		writeStream(w, b.invokeStream)
	default:
		s.fail(w, http.StatusNotFound, "UnknownOperationException", "unknown operation "+op)
	}
}

func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// writeStream sends an event-stream body chunked, in pieces, as Bedrock does.
func writeStream(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.WriteHeader(http.StatusOK)
	const piece = 16 << 10
	for len(b) > 0 {
		n := min(piece, len(b))
		if _, err := w.Write(b[:n]); err != nil {
			return
		}
		b = b[n:]
	}
}

func (s *server) stats(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	st := Stats{
		Requests: s.requests.Load(), Conns: s.conns.Load(), TLSConns: s.tlsConns.Load(),
		Connects: s.connects.Load(), Errors: s.errors.Load(), LastError: s.lastError, Hosts: map[string]int64{},
	}
	for h, n := range s.hosts {
		st.Hosts[h] = n
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(st)
}

// connect answers a CONNECT by terminating TLS itself and serving the tunnelled
// requests with the simulator.
func (s *server) connect(w http.ResponseWriter, r *http.Request, cfg *tls.Config, tunnels *chanListener) {
	if r.Method != http.MethodConnect {
		http.Error(w, "this proxy only tunnels (CONNECT)", http.StatusMethodNotAllowed)
		return
	}
	s.connects.Add(1)
	s.mu.Lock()
	s.hosts[r.Host]++
	s.mu.Unlock()
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		log.Printf("hijack: %v", err)
		return
	}
	if _, err := io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		conn.Close()
		return
	}
	var c net.Conn = conn
	if rw.Reader.Buffered() > 0 {
		c = &bufferedConn{Conn: conn, r: rw.Reader}
	}
	tunnels.conns <- tls.Server(c, cfg)
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// chanListener is a net.Listener whose connections are handed to it.
type chanListener struct {
	conns chan net.Conn
	addr  net.Addr
}

func (l *chanListener) Accept() (net.Conn, error) { return <-l.conns, nil }
func (l *chanListener) Close() error              { return nil }
func (l *chanListener) Addr() net.Addr            { return l.addr }

// throwawayTLS makes a CA and a certificate for the Bedrock hosts signed by it, writes
// the CA to caFile, and returns the server configuration.
func throwawayTLS(caFile string) (*tls.Config, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "llmkit bench throwaway CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "bedrock-runtime.us-east-1.amazonaws.com"},
		DNSNames:     []string{"bedrock-runtime.us-east-1.amazonaws.com", "*.us-east-1.amazonaws.com", "*.amazonaws.com"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644); err != nil {
		return nil, err
	}
	return &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{leafDER, caDER}, PrivateKey: key}},
		MinVersion:   tls.VersionTLS12,
	}, nil
}
