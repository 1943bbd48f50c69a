package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs the command in-process and returns its exit code, stdout and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := runCLI(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const testdata = "../../../flows/testdata/"

func TestCLI_DryRunOfATemplateShowsTheRequestWithoutSendingIt(t *testing.T) {
	_, flowJSON, _ := cli(t, "templates", "getcourse-cpa-house")
	flow := writeFile(t, "flow.json", flowJSON)
	code, out, errOut := cli(t, "run", "--dry-run", "--flow", flow, "--payload", testdata+"payloads/getcourse-user.json", "--inputs", testdata+"inputs/cpa-house.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"GetCourse → CPA.House: success", "✓ send", "POST https://api.cpa.house/method/send_order  (not sent)", "phone=79161234567"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "cpa-secret-key-123") {
		t.Error("the API key is printed")
	}
}

func TestCLI_RunSendsRealRequestsAndPrintsJSON(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // a bad form leaves got empty, which the test reports
		got = r.Form.Get("name")
		w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	flow := writeFile(t, "flow.json", `{"schema":1,"name":"t","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"name","value":"{{trigger.params.name}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+srv.URL+`/x","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`)
	payload := writeFile(t, "p.json", `{"method":"GET","query":"name=Anna"}`)
	code, out, errOut := cli(t, "run", "--json", "--flow", flow, "--payload", payload)
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if got != "Anna" {
		t.Errorf("the server got name=%q", got)
	}
	var trace struct {
		Status string `json:"status"`
		Steps  []struct {
			Node   string `json:"node"`
			Status string `json:"status"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &trace); err != nil || trace.Status != "success" || len(trace.Steps) != 3 {
		t.Fatalf("trace %s (%v)", out, err)
	}
}

func TestCLI_FailedRunExitsNonZeroWithTheReason(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		w.Write([]byte(`{"error":"bad phone"}`))
	}))
	defer srv.Close()
	flow := writeFile(t, "flow.json", `{"schema":1,"name":"t","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","name":"Send","config":{"method":"POST","url":"`+srv.URL+`","body":"x"}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	payload := writeFile(t, "p.json", `{"method":"GET"}`)
	code, out, _ := cli(t, "run", "--flow", flow, "--payload", payload, "--lang", "ru")
	if code != 1 || !strings.Contains(out, "✗ send") || !strings.Contains(out, "400") || !strings.Contains(out, "HTTP-запрос «Send»") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestCLI_ValidateListsEveryProblem(t *testing.T) {
	flow := writeFile(t, "flow.json", `{"schema":1,"name":"t","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","config":{"url":""}},{"id":"x","kind":"nope"}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	code, out, _ := cli(t, "validate", flow)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"HTTP request 'send': URL is empty", "hookflow has no step of type 'nope'"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	_, out, _ = cli(t, "validate", flow, "--json")
	var res struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Code, Node, Field string
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.OK || len(res.Problems) < 2 {
		t.Fatalf("json: %s (%v)", out, err)
	}
}

func TestCLI_ValidateChecksRequiredInputsWhenGiven(t *testing.T) {
	_, flowJSON, _ := cli(t, "templates", "uon-offerrum")
	flow := writeFile(t, "flow.json", flowJSON)
	if code, out, _ := cli(t, "validate", flow); code != 0 {
		t.Fatalf("template should be valid: %s", out)
	}
	inputs := writeFile(t, "i.json", `{"uon_api_key":"k"}`)
	code, out, _ := cli(t, "validate", "--inputs", inputs, flow)
	if code != 1 || !strings.Contains(out, "offerrum_key") || !strings.Contains(out, "flow") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestCLI_BadFilesAreExplained(t *testing.T) {
	broken := writeFile(t, "flow.json", "{\n  \"name\": \"x\",\n  oops\n}")
	code, _, errOut := cli(t, "validate", broken)
	if code != 1 || !strings.Contains(errOut, "line 3") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if code, _, _ := cli(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d", code)
	}
	if code, _, errOut := cli(t, "run", "--flow", broken); code != 2 || !strings.Contains(errOut, "--payload") {
		t.Errorf("missing flag exit %d: %s", code, errOut)
	}
	if code, _, _ := cli(t, "templates", "nosuch"); code != 1 {
		t.Errorf("unknown template exit %d", code)
	}
}
