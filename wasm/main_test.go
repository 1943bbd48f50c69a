//go:build js && wasm

// Run with:
//
//	GOOS=js GOARCH=wasm go test -exec="$(go env GOROOT)/lib/wasm/go_js_wasm_exec" ./wasm/
//
// (node must be on PATH). The tests go through the registered JS functions, exactly as the
// worker calls them.
package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall/js"
	"testing"
	"unicode"

	"github.com/hookflow/hookflow/flows"
)

func TestMain(m *testing.M) {
	register()
	os.Exit(m.Run())
}

// call invokes hookflow[fn](args...) and decodes its JSON answer.
func call(t *testing.T, fn string, args ...any) map[string]any {
	t.Helper()
	res := js.Global().Get("hookflow").Call(fn, args...)
	if res.Type() != js.TypeString {
		t.Fatalf("%s returned %s, want a string", fn, res.Type())
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(res.String()), &out); err != nil {
		t.Fatalf("%s returned invalid JSON: %v\n%s", fn, err, res.String())
	}
	return out
}

// callList is call for functions answering a JSON array.
func callList(t *testing.T, fn string) []map[string]any {
	t.Helper()
	var out []map[string]any
	if err := json.Unmarshal([]byte(js.Global().Get("hookflow").Call(fn).String()), &out); err != nil {
		t.Fatalf("%s: %v", fn, err)
	}
	return out
}

func templateDoc(t *testing.T, id string) string {
	t.Helper()
	tpl, ok := flows.TemplateByID(id)
	if !ok {
		t.Fatalf("no built-in template %s", id)
	}
	data, err := json.Marshal(tpl.Flow)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// testdata reads the engine's own samples, so wasm and native previews are fed the same input.
func testdata(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "flows", "testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func step(t *testing.T, trace map[string]any, node string) map[string]any {
	t.Helper()
	for _, s := range trace["steps"].([]any) {
		if s := s.(map[string]any); s["node"] == node {
			return s
		}
	}
	t.Fatalf("no step %s in %v", node, trace)
	return nil
}

// dig follows keys through nested objects.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

var seedCases = []struct{ template, payload, inputs string }{
	{"getcourse-cpa-house", "getcourse-user.json", "cpa-house.json"},
	{"klientiks-cpa-house", "klientiks-client.json", "cpa-house.json"},
	{"sms-deliverer-aray", "sms-deliverer.json", "aray.json"},
	{"uon-offerrum", "uon-request.json", "uon-offerrum.json"},
	{"webhook-getcourse-user", "site-form.json", "getcourse.json"},
}

func preview(t *testing.T, template, payload, inputs, lang string) map[string]any {
	t.Helper()
	return call(t, "run", templateDoc(t, template), testdata(t, "payloads/"+payload), testdata(t, "inputs/"+inputs), lang)
}

// successfulPreview is preview of a run that must succeed.
func successfulPreview(t *testing.T, template, payload, inputs, lang string) map[string]any {
	t.Helper()
	tr := preview(t, template, payload, inputs, lang)
	if tr["status"] != "success" {
		t.Fatalf("status %v: %v", tr["status"], tr["error"])
	}
	return tr
}

// The browser preview must be the native preview: same steps, outputs and requests as the
// engine's golden traces (times aside, which the golden files pin to a fixed clock).
func TestPreviewMatchesNativeGolden(t *testing.T) {
	for _, c := range seedCases {
		t.Run(c.template, func(t *testing.T) {
			got := preview(t, c.template, c.payload, c.inputs, "en")
			var want map[string]any
			if err := json.Unmarshal([]byte(testdata(t, "golden/trace-"+c.template+".json")), &want); err != nil {
				t.Fatal(err)
			}
			norm := func(v any) any { return dropKeys(v, "started_at", "duration_ms", "error_text") }
			if !reflect.DeepEqual(norm(got), norm(want)) {
				g, _ := json.MarshalIndent(norm(got), "", "  ")
				t.Errorf("wasm preview differs from flows/testdata/golden/trace-%s.json:\n%s", c.template, g)
			}
		})
	}
}

func dropKeys(v any, keys ...string) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, c := range x {
			if !slices.Contains(keys, k) {
				out[k] = dropKeys(c, keys...)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, c := range x {
			out[i] = dropKeys(c, keys...)
		}
		return out
	}
	return v
}

// U-ON sends only r_id: the flow GETs the request from U-ON (not sent in a preview), continues
// with the sample response and parses it.
func TestRun_UONOfferrumPreviewParsesSampleResponse(t *testing.T) {
	tr := successfulPreview(t, "uon-offerrum", "uon-request.json", "uon-offerrum.json", "en")
	fetch := step(t, tr, "fetch")
	if dig(fetch, "http", "sent") != false {
		t.Errorf("fetch was sent in a preview: %v", fetch["http"])
	}
	if got, want := dig(fetch, "http", "request", "url"), "https://api.u-on.ru/••••••/request/48213.json"; got != want {
		t.Errorf("fetch URL %v, want %v (API key masked)", got, want)
	}
	if got := dig(fetch, "http", "response", "status"); got != 200.0 {
		t.Errorf("fetch continued with status %v, want the sample's 200", got)
	}
	parse := step(t, tr, "parse")
	want := map[string]any{
		"id": 48213.0, "client_name": "Анна", "client_surname": "Смирнова",
		"client_phone": "+7 (916) 123-45-67", "client_email": "anna@example.ru",
		"manager_name": "Мария", "status": "Новое", "dat": "2024-03-05 10:15:00", "dat_close": nil,
	}
	out, _ := parse["output"].(map[string]any)
	for k, v := range want {
		if got, ok := out[k]; !ok || got != v {
			t.Errorf("parse.%s = %#v, want %#v", k, got, v)
		}
	}
	if s := step(t, tr, "send"); dig(s, "http", "sent") != false || s["status"] != "success" {
		t.Errorf("send: status %v, http %v", s["status"], s["http"])
	}
}

// GetCourse → CPA.House: the preview shows the exact POST, and nothing is sent.
func TestRun_GetCourseCPAHouseShowsExactPOST(t *testing.T) {
	tr := successfulPreview(t, "getcourse-cpa-house", "getcourse-user.json", "cpa-house.json", "en")
	send := step(t, tr, "send")
	if dig(send, "http", "sent") != false {
		t.Fatal("the request was sent in a preview")
	}
	req := dig(send, "http", "request").(map[string]any)
	if req["method"] != "POST" || req["url"] != "https://api.cpa.house/method/send_order" {
		t.Errorf("request %v %v", req["method"], req["url"])
	}
	headers, _ := json.Marshal(req["headers"])
	if want := `[{"key":"Content-Type","value":"application/x-www-form-urlencoded"},{"key":"User-Agent","value":"hookflow"}]`; string(headers) != want {
		t.Errorf("headers %s, want %s", headers, want)
	}
	wantBody := "api_key=••••••&id_webmaster=501&name=%D0%90%D0%BD%D0%BD%D0%B0&phone=79161234567" +
		"&id_offer=77&id_source=12&id_stream=3&user_agent=Mozilla%2F5.0&ip_address=203.0.113.7" +
		"&county_code=RU&sub_id_1=yandex&sub_id_2=cpc&sub_id_3=spring&sub_id_4=anna.smirnova%40example.ru"
	if req["body"] != wantBody {
		t.Errorf("body\n got %v\nwant %v", req["body"], wantBody)
	}
	if form, err := url.ParseQuery(req["body"].(string)); err != nil || form.Get("name") != "Анна" || form.Get("phone") != "79161234567" {
		t.Errorf("form %v (%v)", form, err)
	}
	if strings.Contains(string(mustJSON(t, tr)), "cpa-secret-key-123") {
		t.Error("the secret API key appears in the trace")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

const brokenFlow = `{
  "schema": 1,
  "nodes": [
    {"id": "trigger", "kind": "webhook", "config": {}},
    {"id": "send", "kind": "http", "config": {"method": "POST", "url": ""}},
    {"id": "magic", "kind": "teleport", "config": {}}
  ],
  "edges": [{"from": "trigger", "to": "send"}, {"from": "send", "to": "ghost"}]
}`

func isRussian(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Cyrillic, r) {
			return true
		}
	}
	return false
}

func TestValidate_AllProblemsInRussian(t *testing.T) {
	res := call(t, "validate", brokenFlow, "ru")
	if res["ok"] != false {
		t.Fatalf("ok = %v", res["ok"])
	}
	codes := map[string]map[string]any{}
	for _, p := range res["problems"].([]any) {
		p := p.(map[string]any)
		codes[p["code"].(string)] = p
		msg, _ := p["message"].(string)
		if !isRussian(msg) {
			t.Errorf("%s: message not in Russian: %q", p["code"], msg)
		}
		params := flows.Params{}
		for k, v := range p["params"].(map[string]any) {
			params[k] = v.(string)
		}
		if want := flows.Message(p["code"].(string), "ru", params); msg != want {
			t.Errorf("%s: message %q, want %q", p["code"], msg, want)
		}
	}
	for code, node := range map[string]string{
		flows.CodeFieldRequired:   "send",  // the URL is empty
		flows.CodeUnknownKind:     "magic", // no such kind
		flows.CodeEdgeUnknownNode: "",      // dangling edge
	} {
		p, ok := codes[code]
		if !ok {
			t.Errorf("no %s problem in %v", code, res["problems"])
			continue
		}
		if node != "" && p["node"] != node {
			t.Errorf("%s is about node %v, want %s", code, p["node"], node)
		}
	}
	if p := codes[flows.CodeFieldRequired]; p != nil && p["field"] != "url" {
		t.Errorf("empty URL problem has field %v, want url", p["field"])
	}

	en := call(t, "validate", brokenFlow)
	if len(en["problems"].([]any)) != len(res["problems"].([]any)) {
		t.Errorf("en and ru give different problems")
	}
	if msg := en["problems"].([]any)[0].(map[string]any)["message"].(string); isRussian(msg) {
		t.Errorf("default language is not English: %q", msg)
	}
}

func TestValidate_TemplatesAreValid(t *testing.T) {
	for _, c := range seedCases {
		if res := call(t, "validate", templateDoc(t, c.template)); res["ok"] != true || len(res["problems"].([]any)) != 0 {
			t.Errorf("%s: %v", c.template, res)
		}
	}
}

func TestValidate_BrokenJSONNamesLineAndColumn(t *testing.T) {
	doc := "{\n  \"schema\": 1,\n  \"nodes\": [\n    {\"id\": \"trigger\",, \"kind\": \"webhook\"}\n  ]\n}"
	res := call(t, "validate", doc, "en")
	problems := res["problems"].([]any)
	if res["ok"] != false || len(problems) != 1 {
		t.Fatalf("want one problem, got %v", res)
	}
	p := problems[0].(map[string]any)
	if p["code"] != flows.CodeDocumentSyntax || dig(p, "params", "line") != "4" || dig(p, "params", "column") == "" {
		t.Errorf("problem %v", p)
	}
	if msg := p["message"].(string); !strings.Contains(msg, "line 4") {
		t.Errorf("message %q does not name the line", msg)
	}
	// run answers the same problem as a failed trace.
	tr := call(t, "run", doc, "{}", "{}", "ru")
	if tr["status"] != "failed" || dig(tr["problems"].([]any)[0], "code") != flows.CodeDocumentSyntax {
		t.Errorf("run of a broken document: %v", tr)
	}
	if msg := dig(tr["problems"].([]any)[0], "message").(string); !isRussian(msg) {
		t.Errorf("run problem not in Russian: %q", msg)
	}
}

func TestRun_InvalidFlowAndMissingInputs(t *testing.T) {
	tr := call(t, "run", brokenFlow, "{}", "{}")
	if tr["status"] != "failed" || len(tr["problems"].([]any)) < 3 {
		t.Errorf("invalid flow: %v", tr)
	}
	tr = call(t, "run", templateDoc(t, "getcourse-cpa-house"), testdata(t, "payloads/getcourse-user.json"), "{}", "ru")
	if tr["status"] != "failed" || len(tr["problems"].([]any)) == 0 {
		t.Fatalf("missing inputs: %v", tr)
	}
	if p := tr["problems"].([]any)[0].(map[string]any); p["code"] != flows.CodeInputMissing || !isRussian(p["message"].(string)) {
		t.Errorf("missing input problem %v", p)
	}
	tr = call(t, "run", templateDoc(t, "getcourse-cpa-house"), "{not json", "{}")
	if tr["status"] != "failed" || dig(tr["problems"].([]any)[0], "code") != flows.CodePayloadInvalid {
		t.Errorf("broken payload: %v", tr)
	}
}

// A failing step keeps its English error (as the server stores it) and gets error_text in the
// asked language.
func TestRun_StepErrorTextInRussian(t *testing.T) {
	tr := call(t, "run", templateDoc(t, "getcourse-cpa-house"), `{"method": "GET", "query": "email=a%40b.c"}`,
		testdata(t, "inputs/cpa-house.json"), "ru")
	trig := step(t, tr, "trigger")
	if tr["status"] != "failed" || trig["status"] != "failed" || trig["error_code"] != flows.CodeTriggerFieldEmpty {
		t.Fatalf("want the trigger to fail on the missing phone: %v", tr)
	}
	if e := trig["error"].(string); isRussian(e) || !strings.Contains(e, "phone") {
		t.Errorf("error %q, want English naming phone", e)
	}
	if e, _ := trig["error_text"].(string); !isRussian(e) || !strings.Contains(e, "phone") {
		t.Errorf("error_text %q, want Russian naming phone", e)
	}
	if msg := dig(tr, "error", "message").(string); !isRussian(msg) {
		t.Errorf("trace error message %q not in Russian", msg)
	}
	if s := step(t, tr, "send"); s["status"] != "skipped" {
		t.Errorf("send after a failed trigger: %v", s["status"])
	}
}

func TestKinds_AllSevenWithSchemas(t *testing.T) {
	got := map[string]bool{}
	for _, k := range callList(t, "kinds") {
		name := k["kind"].(string)
		got[name] = true
		if schema, _ := k["schema"].(map[string]any); len(schema) == 0 {
			t.Errorf("%s has no schema", name)
		}
		if _, ok := k["fields"].([]any); !ok {
			t.Errorf("%s has no fields", name)
		}
		if dig(k, "title", "ru") == "" {
			t.Errorf("%s has no Russian title", name)
		}
	}
	for _, want := range []string{"webhook", "json_parse", "form_encode", "http", "js", "filter", "set"} {
		if !got[want] {
			t.Errorf("kind %s missing", want)
		}
	}
}

func TestPresetsAndTemplates(t *testing.T) {
	presets := map[string]map[string]any{}
	for _, p := range callList(t, "presets") {
		presets[p["id"].(string)] = p
	}
	gc := presets["getcourse.user_created"]
	if u, _ := gc["url_template"].(string); !strings.HasPrefix(u, "?") || !strings.Contains(u, "={object.email}") {
		t.Errorf("getcourse url_template %q", u)
	}
	if q, _ := gc["sample_query"].(string); !strings.Contains(q, "email=") {
		t.Errorf("getcourse sample_query %q", q)
	}
	if u, ok := presets["uon.request"]["url_template"]; !ok || u != "" {
		t.Errorf("U-ON sends r_id by itself; url_template %v", u)
	}

	tpls := callList(t, "templates")
	if len(tpls) < len(seedCases) {
		t.Errorf("%d templates, want at least %d", len(tpls), len(seedCases))
	}
	for _, tpl := range tpls {
		if presets[tpl["preset"].(string)] == nil {
			t.Errorf("template %v: unknown preset %v", tpl["id"], tpl["preset"])
		}
		if nodes, _ := dig(tpl, "flow", "nodes").([]any); len(nodes) == 0 {
			t.Errorf("template %v has no flow", tpl["id"])
		}
	}
}

func TestMessage(t *testing.T) {
	res := call(t, "message", flows.CodeFieldRequired, "ru", `{"node": "send", "kind": "HTTP request", "kind_ru": "HTTP-запрос", "label": "URL", "label_ru": "Адрес"}`)
	if want := flows.Message(flows.CodeFieldRequired, "ru", flows.Params{"node": "send", "kind": "HTTP request", "kind_ru": "HTTP-запрос", "label": "URL", "label_ru": "Адрес"}); res["message"] != want || !isRussian(want) {
		t.Errorf("message %v, want %q", res["message"], want)
	}
	if res := call(t, "message", "no.such.code", "en", ""); res["message"] != "no.such.code" {
		t.Errorf("unknown code: %v", res)
	}
}

// Misuse from JS comes back as {"error": …}; nothing throws.
func TestBadArgumentsAnswerWithError(t *testing.T) {
	for name, res := range map[string]map[string]any{
		"number flow":  call(t, "run", 42, "{}", "{}"),
		"object flow":  call(t, "validate", js.Global().Get("Object").New()),
		"bad inputs":   call(t, "run", templateDoc(t, "uon-offerrum"), "{}", `["a"]`),
		"bad params":   call(t, "message", "x", "en", "[1]"),
		"nested input": call(t, "run", templateDoc(t, "uon-offerrum"), "{}", `{"a": {"b": 1}}`),
	} {
		if e, _ := res["error"].(string); e == "" || len(res) != 1 {
			t.Errorf("%s: %v, want {\"error\": …}", name, res)
		}
	}
}

// A panic inside a function comes back as {"error": …} instead of killing the module.
func TestPanicAnswersWithError(t *testing.T) {
	obj := js.Global().Get("Object").New()
	export(obj, "boom", func(*args) any { panic("kaboom") })
	res := obj.Call("boom").String()
	if !strings.Contains(res, `"error"`) || !strings.Contains(res, "kaboom") {
		t.Errorf("panic answered %s", res)
	}
	if len(callList(t, "kinds")) == 0 {
		t.Error("the module stopped working after a panic")
	}
}

func TestReadyAndVersion(t *testing.T) {
	h := js.Global().Get("hookflow")
	if !h.Get("ready").Bool() || h.Get("version").Type() != js.TypeString {
		t.Errorf("ready %v version %v", h.Get("ready"), h.Get("version"))
	}
}

// The ready callback is called when the page defined one before the module started.
func TestReadyCallback(t *testing.T) {
	called := false
	cb := js.FuncOf(func(js.Value, []js.Value) any { called = true; return nil })
	defer cb.Release()
	js.Global().Set("onHookflowReady", cb)
	defer js.Global().Delete("onHookflowReady")
	register()
	if !called {
		t.Error("onHookflowReady was not called")
	}
}
