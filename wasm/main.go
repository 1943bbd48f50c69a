//go:build js && wasm

// Command wasm is the hookflow engine (package flows) built for the browser. It registers one
// global object, hookflow, whose functions take and return JSON text:
//
//	hookflow.validate(flowJSON, lang?)                       -> {"ok": bool, "problems": [...]}
//	hookflow.run(flowJSON, payloadJSON, inputsJSON, lang?)   -> trace (preview: nothing is sent)
//	hookflow.kinds()  hookflow.presets()  hookflow.templates()
//	hookflow.message(code, lang, paramsJSON)                 -> {"message": "…"}
//	hookflow.version                                         -> build version (a plain string)
//	hookflow.ready                                           -> true once the functions are set
//
// Text goes both ways (not JS objects) because the page talks to this module through a Web
// Worker's postMessage anyway, and JSON keeps the contract identical to the server's API.
// A function never throws: a bad argument or a panic comes back as {"error": "..."}.
//
// The functions are synchronous. A JS node stuck in a loop cannot be interrupted here (a Go
// timer needs the JS event loop, which the call is blocking), so the page runs this module in a
// Web Worker (worker.js) and terminates the worker when a run takes too long.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/hookflow/hookflow/flows"
)

// version is set at build time: -ldflags "-X main.version=…" (see build.sh).
var version = "dev"

func main() {
	register()
	select {} // the functions live as long as the program does
}

// register publishes the hookflow object and signals readiness. Tests call it directly.
func register() {
	api := js.Global().Get("Object").New()
	api.Set("version", version)
	export(api, "validate", func(a *args) any { return validate(a.text(0), a.lang(1)) })
	export(api, "run", func(a *args) any { return run(a.text(0), a.text(1), a.text(2), a.lang(3)) })
	export(api, "kinds", func(*args) any { return flows.Kinds() })
	export(api, "presets", func(*args) any { return presets() })
	export(api, "templates", func(*args) any { return templates() })
	export(api, "message", func(a *args) any { return message(a.text(0), a.lang(1), a.text(2)) })
	api.Set("ready", true)
	js.Global().Set("hookflow", api)
	if cb := js.Global().Get("onHookflowReady"); cb.Type() == js.TypeFunction {
		cb.Invoke()
	}
}

// export wraps fn as a JS function returning JSON text. Funcs are never released: they live
// for the whole program.
func export(obj js.Value, name string, fn func(*args) any) {
	obj.Set(name, js.FuncOf(func(_ js.Value, values []js.Value) (result any) {
		defer func() {
			if r := recover(); r != nil {
				result = errorJSON(fmt.Sprintf("%s: internal error: %v", name, r))
			}
		}()
		a := &args{name: name, values: values}
		v := fn(a)
		if a.err != nil {
			return errorJSON(a.err.Error())
		}
		if err, ok := v.(error); ok {
			return errorJSON(err.Error())
		}
		return encode(v)
	}))
}

// args reads the string arguments of a call; the first wrong one is kept in err.
type args struct {
	name   string
	values []js.Value
	err    error
}

// text returns argument i as a string; undefined and null read as "".
func (a *args) text(i int) string {
	if i >= len(a.values) {
		return ""
	}
	switch v := a.values[i]; v.Type() {
	case js.TypeString:
		return v.String()
	case js.TypeUndefined, js.TypeNull:
		return ""
	default:
		// Without this check js.Value.String would give "<object>" and a confusing parse error.
		if a.err == nil {
			a.err = fmt.Errorf("%s: argument %d must be a string (JSON text), not %s", a.name, i+1, v.Type())
		}
		return ""
	}
}

// lang is the language the engine speaks for the tag given ("ru", "ru-RU", …), English for one
// it does not speak (flows.Language).
func (a *args) lang(i int) string { return flows.Language(a.text(i)) }

func errorJSON(msg string) string { return encode(map[string]string{"error": msg}) }

// encode writes v as JSON without HTML escaping, so URLs and form bodies stay readable.
func encode(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return errorJSON("encoding the result: " + err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func validate(doc, lang string) validation {
	f, problems := flows.ParseFlowProblems([]byte(doc))
	if f != nil {
		problems = flows.Validate(f, nil)
	}
	return validation{OK: len(problems) == 0, Problems: flows.Localize(problems, lang)}
}

type validation struct {
	OK       bool           `json:"ok"`
	Problems flows.Problems `json:"problems"`
}

// run previews a flow (see flows.Preview): nothing is sent.
func run(flowDoc, payloadDoc, inputsDoc, lang string) any {
	inputs, err := parseInputs(inputsDoc)
	if err != nil {
		return err
	}
	return flows.Preview(context.Background(), []byte(flowDoc), []byte(payloadDoc), inputs, lang, nil)
}

// parseInputs reads the flow's settings: {"api_key": "…"}; numbers and booleans are accepted as
// text because form libraries like to produce them.
func parseInputs(doc string) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(doc) == "" {
		return out, nil
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("run: inputs must be a JSON object of texts: %v", err)
	}
	for k, v := range raw {
		switch x := v.(type) {
		case nil:
		case string:
			out[k] = x
		case float64, bool:
			out[k] = fmt.Sprint(x)
		default:
			return nil, fmt.Errorf("run: input %q must be text, not %T", k, v)
		}
	}
	return out, nil
}

// presetJSON adds what the editor shows next to the webhook URL.
type presetJSON struct {
	flows.Preset
	URLTemplate string `json:"url_template"`
	SampleQuery string `json:"sample_query"`
}

func presets() []presetJSON {
	all := flows.Presets()
	out := make([]presetJSON, len(all))
	for i, p := range all {
		out[i] = presetJSON{Preset: p, URLTemplate: p.URLTemplate(), SampleQuery: p.SampleQuery()}
	}
	return out
}

// templateJSON names the template's trigger preset, whose guide the gallery shows.
type templateJSON struct {
	flows.FlowTemplate
	Preset string `json:"preset,omitempty"`
}

func templates() []templateJSON {
	all := flows.Templates()
	out := make([]templateJSON, len(all))
	for i, t := range all {
		out[i] = templateJSON{FlowTemplate: t}
		if p, ok := t.Preset(); ok {
			out[i].Preset = p.ID
		}
	}
	return out
}

func message(code, lang, paramsDoc string) any {
	var params flows.Params
	if strings.TrimSpace(paramsDoc) != "" {
		if err := json.Unmarshal([]byte(paramsDoc), &params); err != nil {
			return fmt.Errorf("message: params must be a JSON object of texts: %v", err)
		}
	}
	return map[string]string{"message": flows.Message(code, lang, params)}
}
