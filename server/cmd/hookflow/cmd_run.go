package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/notify"
	"github.com/hookflow/hookflow/server/outbound"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	flowPath := fs.String("flow", "", "flow document (JSON)")
	payloadPath := fs.String("payload", "", "incoming request sample (JSON)")
	inputsPath := fs.String("inputs", "", "the flow's settings (JSON object)")
	dryRun := fs.Bool("dry-run", false, "send no HTTP requests; use each HTTP step's sample_response")
	asJSON := fs.Bool("json", false, "print the trace as JSON")
	lang := fs.String("lang", "en", "language of messages: en or ru")
	smtpURL := fs.String("smtp-url", os.Getenv("HOOKFLOW_SMTP_URL"), "smtp://user:pass@host:587?from=… for email steps that use the server's mail settings")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *flowPath == "" || *payloadPath == "" {
		fmt.Fprintln(stderr, "run needs --flow and --payload")
		return 2
	}
	flow, err := readFlow(*flowPath)
	if err != nil {
		return printError(stderr, *lang, err)
	}
	data, err := os.ReadFile(*payloadPath)
	if err != nil {
		return printError(stderr, *lang, err)
	}
	payload, err := flows.ParsePayload(data)
	if err != nil {
		return printError(stderr, *lang, err)
	}
	inputs, err := readInputs(*inputsPath)
	if err != nil {
		return printError(stderr, *lang, err)
	}
	env := &flows.BasicEnv{Inputs: inputs}
	if !*dryRun {
		policy := &outbound.Policy{}
		env.HTTP = policy.Client() // never link-local or cloud metadata
		mailer, err := notify.NewMailer(notify.MailerConfig{SMTPURL: *smtpURL, Dial: policy.DialContext})
		if err != nil {
			return printError(stderr, *lang, err)
		}
		env.Mail = mailer
	}
	trace, err := flows.Run(ctx, flow, payload, env)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(trace)
	} else if err == nil {
		printTrace(stdout, flow, trace, *lang)
	}
	if err != nil {
		if !*asJSON {
			printError(stderr, *lang, err)
		}
		return 1
	}
	if trace.Status == flows.StatusFailed {
		return 1
	}
	return 0
}

func readFlow(path string) (*flows.Flow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read only
	return flows.ReadFlow(f)
}

func readInputs(path string) (map[string]string, error) {
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s must be a JSON object of settings like {\"api_key\": \"…\"}: %w", path, err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = flows.Stringify(v)
	}
	return out, nil
}

// printError prints problems one per line in lang and returns the exit code 1.
func printError(w io.Writer, lang string, err error) int {
	var problems flows.Problems
	var problem *flows.Problem
	switch {
	case errors.As(err, &problems):
		for _, p := range problems {
			fmt.Fprintln(w, "✗", p.Text(lang))
		}
	case errors.As(err, &problem):
		fmt.Fprintln(w, "✗", problem.Text(lang))
	default:
		fmt.Fprintln(w, "✗", err)
	}
	return 1
}

var statusMark = map[string]string{
	flows.StatusSuccess: "✓", flows.StatusFailed: "✗", flows.StatusFiltered: "⊘", flows.StatusSkipped: "·",
}

func printTrace(w io.Writer, flow *flows.Flow, t *flows.Trace, lang string) {
	fmt.Fprintf(w, "%s: %s in %d ms\n", flow.Name, t.Status, t.DurationMs)
	width := 0
	for _, s := range t.Steps {
		width = max(width, len(s.Node))
	}
	for _, s := range t.Steps {
		fmt.Fprintf(w, "  %s %-*s  %-12s %5d ms\n", statusMark[s.Status], width, s.Node, s.Kind, s.DurationMs)
		if h := s.HTTP; h != nil {
			note := ""
			if !h.Sent {
				note = "  (not sent)"
			}
			fmt.Fprintf(w, "      %s %s%s\n", h.Request.Method, h.Request.URL, note)
			if h.Request.Body != "" {
				fmt.Fprintf(w, "      body: %s\n", oneLine(h.Request.Body, 200))
			}
			if h.Response != nil {
				fmt.Fprintf(w, "      → %d %s\n", h.Response.Status, oneLine(h.Response.Body, 200))
			}
		} else if s.Output != nil && s.Status != flows.StatusSkipped {
			out, _ := json.Marshal(s.Output)
			fmt.Fprintf(w, "      → %s\n", oneLine(string(out), 200))
		}
		for _, l := range s.Logs {
			fmt.Fprintf(w, "      · %s\n", oneLine(l, 200))
		}
		if s.Error != "" {
			msg := s.Error
			if s.ErrorCode != "" {
				msg = flows.Message(s.ErrorCode, lang, s.ErrorParams)
			}
			fmt.Fprintf(w, "      ✗ %s\n", msg)
		}
	}
}

func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > limit {
		return string(r[:limit]) + "…"
	}
	return s
}
