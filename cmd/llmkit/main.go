package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes; see the package documentation.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitAuth        = 3
	exitInterrupted = 130
)

// env is what a command may use of the process: its standard streams and its
// interrupts. Tests give their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// interrupts delivers Ctrl-C (SIGINT). chat uses it to cancel an answer; the other
	// commands stop on it.
	interrupts <-chan os.Signal
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"demo", "run an agent with a real tool on a recorded conversation (no AWS account needed)", runDemo},
		{"chat", "chat with a Bedrock model, streaming, with history", runChat},
		{"ask", "ask a Bedrock model one question; plain text, JSON or a structured object", runAsk},
		{"sim", "serve the Bedrock Runtime simulator on loopback for other programs", runSim},
		{"conformance", "run the conformance suite against Bedrock models and print the matrix", runConformance},
		{"batch", "run many requests as one Bedrock batch inference job: submit, status, results, cancel", runBatch},
	}
}

const mainUsage = `llmkit talks to large language models on Amazon Bedrock through one neutral API.

Usage:

	llmkit <command> [flags] [arguments]

Commands:

%s
Run "llmkit <command> -h" for a command's flags, or "llmkit help <command>".

Exit codes:

	0    success; also sim stopped by Ctrl-C or SIGTERM, and chat left by /quit,
	     end of input or Ctrl-C twice
	1    failed at run time: throttled, unknown model, model or server error,
	     broken stream, endpoint not reachable, a failed conformance scenario
	2    bad usage: unknown command or flag, missing or invalid argument or file
	3    AWS credentials missing or refused, or no usable AWS configuration
	     (no region, unknown profile, access denied)
	130  interrupted by Ctrl-C (SIGINT) or SIGTERM
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	for _, c := range commands() {
		fmt.Fprintf(&b, "\t%-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	ints := make(chan os.Signal, 1)
	signal.Notify(ints, os.Interrupt)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, interrupts: ints}, os.Args[1:])
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printMainUsage(e.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			printMainUsage(e.stdout)
			return exitOK
		}
		if c, ok := lookup(rest[0]); ok {
			return c.run(ctx, e, []string{"-h"})
		}
		fmt.Fprintf(e.stderr, "llmkit: help: unknown command %q\n\n", rest[0])
		printMainUsage(e.stderr)
		return exitUsage
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(e.stderr, "llmkit: unknown command %q\n\n", name)
		printMainUsage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, rest)
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// newFlagSet returns a FlagSet for the command name whose usage is synopsis, then
// about, then the flags.
func newFlagSet(e *env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet("llmkit "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintf(w, "Usage: %s\n\n%s\n", synopsis, strings.TrimSpace(about))
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprintf(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args with fs. Flags may come before, between or after the
// arguments ("ask hello --model m" works as "ask --model m hello"); "--" ends the flags.
// After it, fs.Args() are the arguments in order. It returns false and the exit code
// when the command must stop: 0 after -h (usage printed on stdout), 2 after a bad flag
// (the error and the usage printed on stderr).
func parseFlags(e *env, fs *flag.FlagSet, args []string) (int, bool) {
	var out strings.Builder
	fs.SetOutput(&out)
	defer fs.SetOutput(e.stderr)
	var positional []string
	for {
		err := fs.Parse(args)
		switch {
		case errors.Is(err, flag.ErrHelp):
			io.WriteString(e.stdout, out.String())
			return exitOK, false
		case err != nil:
			io.WriteString(e.stderr, out.String())
			return exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			positional = append(positional, rest...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Leave the arguments in fs.Args(): after "--" the flag package takes the rest as is.
	fs.Parse(append([]string{"--"}, positional...))
	return 0, true
}

// usageError prints a usage problem found after flag parsing and returns exitUsage.
func usageError(e *env, fs *flag.FlagSet, format string, args ...any) int {
	fmt.Fprintf(e.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fmt.Fprintf(e.stderr, "Run '%s -h' for usage.\n", fs.Name())
	return exitUsage
}

// interruptible returns a context that is cancelled by ctx or by the first interrupt
// (Ctrl-C), and a function that releases it.
func interruptible(ctx context.Context, e *env) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-e.interrupts:
			cancel()
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		<-exited
		cancel()
	}
}

// discardLogger returns a logger that drops every record: the agent's debug records
// are not for the terminal.
func discardLogger() *slog.Logger {
	return slog.New(slog.DiscardHandler)
}
