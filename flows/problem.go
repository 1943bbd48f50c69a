package flows

import (
	"strconv"
	"strings"
)

// Params are the named values a problem's sentence is built from; the editor uses them to show
// the same problem in another language.
type Params map[string]string

// Problem is one thing wrong with a flow or one reason a step failed: a stable code, the node and
// config field it concerns, its parameters and a sentence a marketer understands.
type Problem struct {
	Code    string `json:"code"`
	Node    string `json:"node,omitempty"`
	Field   string `json:"field,omitempty"`
	Params  Params `json:"params,omitempty"`
	Message string `json:"message"`
}

func (p *Problem) Error() string {
	if p.Message == "" {
		return p.Text("en")
	}
	return p.Message
}

// Text renders the problem's sentence in lang.
func (p *Problem) Text(lang string) string {
	return Message(p.Code, lang, p.Params)
}

// Problems is every problem found at once; as an error it reads as one sentence per line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i := range ps {
		lines[i] = ps[i].Error()
	}
	return strings.Join(lines, "\n")
}

// problemAt builds a problem about a node's field; node may be nil for flow-level problems.
func problemAt(n *Node, field, code string, params Params) Problem {
	p := Problem{Code: code, Field: field, Params: Params{}}
	for k, v := range params {
		p.Params[k] = v
	}
	if n != nil {
		p.Node = n.ID
		p.Params["node"] = n.Label()
		kindTitle := T("problem.step")
		if k, ok := kindByName(n.Kind); ok {
			kindTitle = k.Title
		}
		p.Params.put("kind", kindTitle)
	}
	if field != "" {
		if _, ok := p.Params["field"]; !ok {
			p.Params["field"] = field
		}
	}
	p.Message = Message(code, "en", p.Params)
	return p
}

// Message renders the sentence for code in lang with {name} placeholders filled; in a language
// other than English {name} reads the param name_<lang> when there is one ({label} is label_ru in
// Russian), the English one otherwise. A sentence about a node starts with the node's kind and
// name: "HTTP request 'send': URL is empty" ("problem.about" in the catalogs).
func Message(code, lang string, params Params) string {
	s := render(counted(code, lang, params["count"]), lang, params)
	if _, about := params["node"]; about {
		withSentence := make(Params, len(params)+1)
		for k, v := range params {
			withSentence[k] = v
		}
		withSentence["sentence"] = s
		s = render(word("problem.about", lang), lang, withSentence)
	}
	return s
}

// counted is code's sentence in lang in the form for count (code#few: "в процессе 2 источника")
// when the sentence counts and lang's catalog has the form, its plain sentence otherwise.
func counted(code, lang, count string) string {
	if n, err := strconv.ParseInt(count, 10, 64); err == nil {
		for _, l := range languages {
			if l.code == lang {
				if s, ok := l.catalog[code+"#"+l.plural(n)]; ok {
					return s
				}
			}
		}
	}
	return word(code, lang)
}

// render fills the {name} placeholders of a sentence in lang from params: name_<lang> when
// there is one, name otherwise.
func render(s, lang string, params Params) string {
	return fill(s, func(name string) (string, bool) {
		if lang != "en" {
			if v, ok := params[name+"_"+lang]; ok {
				return v, true
			}
		}
		v, ok := params[name]
		return v, ok
	})
}

// Problem codes. They are part of the API: the editor translates them.
const (
	CodeDocumentSyntax   = "document.syntax"
	CodeDocumentType     = "document.type"
	CodeDocumentTooLarge = "document.too_large"
	CodeSchemaVersion    = "flow.schema_version"
	CodeNoNodes          = "flow.no_nodes"
	CodeNoTrigger        = "flow.no_trigger"
	CodeManyTriggers     = "flow.many_triggers"
	CodeCycle            = "flow.cycle"
	CodeInputKeyEmpty    = "flow.input_key_empty"
	CodeInputDuplicate   = "flow.input_duplicate"
	CodeInputMissing     = "flow.input_missing"

	CodeNodeIDEmpty      = "node.id_empty"
	CodeNodeIDDuplicate  = "node.id_duplicate"
	CodeNodeIDReserved   = "node.id_reserved"
	CodeNodeIDInvalid    = "node.id_invalid"
	CodeUnknownKind      = "node.unknown_kind"
	CodeTriggerHasInput  = "node.trigger_has_input"
	CodeUnreachable      = "node.unreachable"
	CodeConfigInvalid    = "node.config_invalid"
	CodeConfigType       = "node.config_type"
	CodeFieldRequired    = "node.field_required"
	CodeFieldOption      = "node.field_option"
	CodeFieldRange       = "node.field_range"
	CodeTemplateSyntax   = "node.template_syntax"
	CodeRefNotUpstream   = "node.ref_not_upstream"
	CodeRefUnknownInput  = "node.ref_unknown_input"
	CodeRefUnknownRoot   = "node.ref_unknown_root"
	CodeUnknownPipe      = "node.unknown_pipe"
	CodeEdgeUnknownNode  = "edge.unknown_node"
	CodeEdgeSelf         = "edge.self"
	CodeEdgeBranch       = "edge.branch"
	CodeEdgeDuplicate    = "edge.duplicate"
	CodeEdgeIntoTrigger  = "edge.into_trigger"
	CodeScriptSyntax     = "js.syntax"
	CodeRegexInvalid     = "filter.regex_invalid"
	CodePathInvalid      = "json_parse.path_invalid"
	CodeURLInvalid       = "http.url_invalid"
	CodeStatusRange      = "http.status_range"
	CodeFieldKeyEmpty    = "node.field_key_empty"
	CodeFieldKeyRepeated = "node.field_key_repeated"

	// Run errors.
	CodeRunCanceled       = "run.canceled"
	CodeRunInputMissing   = "run.input_missing"
	CodePayloadInvalid    = "run.payload_invalid"
	CodeTriggerFieldEmpty = "webhook.field_missing"
	CodeHTTPNetwork       = "http.network"
	CodeHTTPTimeout       = "http.timeout"
	CodeHTTPStatus        = "http.status"
	CodeHTTPRejected      = "http.rejected"
	CodeHTTPCondition     = "http.condition_error"
	CodeHTTPTooLarge      = "http.response_too_large"
	CodeHTTPBadRequest    = "http.bad_request"
	CodeHTTPRetryAfter    = "http.retry_after_too_long"
	CodeJSONNotJSON       = "json_parse.not_json"
	CodeJSError           = "js.error"
	CodeJSTimeout         = "js.timeout"
	CodeJSTooLarge        = "js.too_large"
	CodeFilterError       = "filter.error"
	CodeSetValue          = "set.value"
	CodeNodeFailed        = "node.failed"

	CodeHTTPBodyNotJSON    = "http.body_not_json"
	CodeHTTPRejectedEmpty  = "http.rejected_empty"
	CodeHTTPHeaderName     = "http.header_name"
	CodeFilterEmpty        = "filter.empty"
	CodeFilterBoth         = "filter.both"
	CodeFilterValueMissing = "filter.value_missing"
	CodeFilterNotNumber    = "filter.not_number"
	CodeRoutesEmpty        = "route.none"
	CodeRouteNoRules       = "route.no_rules"
	CodeRouteID            = "route.id"
	CodeJSRecursion        = "js.recursion"
	CodeURLDenied          = "http.url_denied"
	CodeHTTPDenied         = "http.denied"
	CodeJSMemory           = "js.memory"
	CodeHTTPRuleFailed     = "http.rule_failed"
)

// A preview's HTTP step: nothing was sent, so its success check is of a sample answer.
const (
	CodeHTTPPreviewNoAnswer = "http.preview_no_answer"
	CodeHTTPPreviewStatus   = "http.preview_status"
	CodeHTTPPreviewRejected = "http.preview_rejected"
)
