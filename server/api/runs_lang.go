package api

import (
	"strconv"

	"github.com/hookflow/hookflow/flows"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// localizeTrace re-renders a stored trace's error sentences in lang. Traces keep the English
// sentence together with the code and params it was made from, so the Russian one is rebuilt
// from the same catalogue the validator uses. Everything else in the trace is left byte for byte
// (inputs and outputs may hold numbers a round trip through Go values would change).
func localizeTrace(trace, lang string) (out, runError string) {
	out = trace
	if lang == "en" || lang == "" || trace == "" {
		return out, ""
	}
	if code := gjson.Get(trace, "error.code"); code.Exists() {
		runError = flows.Message(code.String(), lang, traceParams(gjson.Get(trace, "error.params")))
		out, _ = sjson.Set(out, "error.message", runError)
	}
	gjson.Get(trace, "steps").ForEach(func(i, step gjson.Result) bool {
		if code := step.Get("error_code"); code.Exists() {
			msg := flows.Message(code.String(), lang, traceParams(step.Get("error_params")))
			out, _ = sjson.Set(out, "steps."+strconv.FormatInt(i.Int(), 10)+".error", msg)
		}
		return true
	})
	return out, runError
}

func traceParams(r gjson.Result) flows.Params {
	p := flows.Params{}
	r.ForEach(func(k, v gjson.Result) bool {
		p[k.String()] = v.String()
		return true
	})
	return p
}

// requestLang is the language a client asked for with ?lang= (the editor sends its own choice).
func requestLang(q string) string {
	if q == "ru" {
		return "ru"
	}
	return "en"
}
