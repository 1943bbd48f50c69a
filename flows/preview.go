package flows

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// The editor's Test: a preview of a flow against a sample request, sending nothing. The browser
// engine (wasm) and the server's preview endpoint both answer with Preview, so a Test shows the
// same whichever of the two ran it.

// PreviewStep is a step of the trace plus error_text: the step's error in the asked language
// (the trace's "error" stays English, as the server stores it).
type PreviewStep struct {
	StepTrace `tstype:",extends"`
	ErrorText string `json:"error_text,omitempty"`
}

// PreviewTrace is a trace as the editor shows it.
type PreviewTrace struct {
	*Trace `tstype:",extends,required"`

	Steps []PreviewStep `json:"steps"` // shadows Trace.Steps
}

// ParseFlowProblems decodes a flow document; a broken one gives its problem (with line and column).
func ParseFlowProblems(doc []byte) (*Flow, Problems) {
	f, err := ParseFlow(doc)
	if err == nil {
		return f, nil
	}
	var p *Problem
	if !errors.As(err, &p) {
		p = &Problem{Code: CodeDocumentSyntax, Params: Params{"line": "?", "column": "?", "detail": err.Error()}}
	}
	return nil, Problems{*p}
}

// Localize rewrites each problem's message in lang; the code and params stay for the client.
func Localize(ps Problems, lang string) Problems {
	out := make(Problems, len(ps)) // never null in JSON
	for i, p := range ps {
		p.Message = p.Text(lang)
		out[i] = p
	}
	return out
}

// Preview runs the flow document against a sample request (flows.Payload JSON; empty: none)
// without sending anything: each HTTP step shows the request it would send and continues with
// its sample answer. scripts runs the JavaScript (nil: in this process). A broken document or
// sample is a failed trace whose problems say what to fix, in lang.
func Preview(ctx context.Context, doc, payloadDoc []byte, inputs map[string]string, lang string, scripts ScriptRunner) PreviewTrace {
	f, problems := ParseFlowProblems(doc)
	if f == nil {
		return previewFailed(problems, lang)
	}
	var payload Payload
	if strings.TrimSpace(string(payloadDoc)) != "" {
		if err := json.Unmarshal(payloadDoc, &payload); err != nil {
			// The marketer pasted this sample, so it is a problem to show, not a program error.
			return previewFailed(Problems{{Code: CodePayloadInvalid, Field: "payload", Params: Params{"detail": err.Error()}}}, lang)
		}
	}
	env := &BasicEnv{
		Lang:    lang,
		Inputs:  inputs,
		Scripts: scripts,
		// Never sleep: in the browser a timer would need the JS event loop that this synchronous
		// call blocks. Previews send nothing, so there is nothing to retry anyway.
		Wait: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	tr, _ := Run(ctx, f, payload, env) // an invalid flow is a failed trace
	return LocalizeTrace(tr, lang)
}

func previewFailed(problems Problems, lang string) PreviewTrace {
	return LocalizeTrace(&Trace{Status: StatusFailed, Problems: problems, StartedAt: time.Now()}, lang)
}

// LocalizeTrace says the trace's problems and errors in lang.
func LocalizeTrace(tr *Trace, lang string) PreviewTrace {
	if len(tr.Problems) > 0 {
		tr.Problems = Localize(tr.Problems, lang)
	}
	if tr.Error != nil {
		tr.Error.Message = tr.Error.Text(lang)
	}
	out := PreviewTrace{Trace: tr, Steps: make([]PreviewStep, len(tr.Steps))}
	for i, st := range tr.Steps {
		out.Steps[i] = PreviewStep{StepTrace: st}
		if st.Error != "" {
			out.Steps[i].ErrorText = st.Error
			if st.ErrorCode != "" {
				out.Steps[i].ErrorText = Message(st.ErrorCode, lang, st.ErrorParams)
			}
		}
	}
	return out
}
