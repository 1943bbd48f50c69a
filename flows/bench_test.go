package flows

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Benchmarks: `make bench`. Figures are reported as ratios against a baseline measured in the
// same run, never as absolute times in tests.

func BenchmarkTemplateRender(b *testing.B) {
	tpl, err := ParseTemplate(`name={{trigger.params.name | trim}}&phone={{trigger.params.phone | digits}}&sum={{trigger.params.cost | number}}&c={{inputs.country | default:"RU"}}`)
	if err != nil {
		b.Fatal(err)
	}
	s := testScope()
	b.Run("template", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tpl.Render(s)
			s.notes = s.notes[:0]
		}
	})
	// Baseline: the same string built by hand from the same values.
	params := s.roots["trigger"].(map[string]any)["params"].(map[string]any)
	b.Run("handwritten-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			n, _ := ParseNumber(params["cost"].(string))
			_ = "name=" + params["name"].(string) + "&phone=" + onlyDigits(params["phone"].(string)) + "&sum=" + string(n) + "&c=RU"
		}
	})
}

// BenchmarkFlowRun runs a 5-node flow (webhook → set → js → form_encode → http POST) against a
// local HTTP server; the baseline is the bare HTTP POST of the same body with the same client.
func BenchmarkFlowRun(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"success"}`)
	}))
	defer srv.Close()
	prog := mustCompile(b, mustParse(b, `{"schema":1,"name":"bench","inputs":[{"key":"api_key","secret":true}],
	  "nodes":[{"id":"trigger","kind":"webhook","config":{"preset":"getcourse.user_created"}},
	  {"id":"lead","kind":"set","config":{"fields":[{"key":"name","value":"{{trigger.params.first_name | trim}}"},{"key":"phone","value":"{{trigger.params.phone | digits}}"}]}},
	  {"id":"tidy","kind":"js","config":{"code":"return {name: input.name.toUpperCase(), phone: input.phone}"}},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"api_key","value":"{{inputs.api_key}}"},{"key":"name","value":"{{tidy.name}}"},{"key":"phone","value":"{{tidy.phone}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+srv.URL+`/send_order","body_type":"previous","success":{"condition":"status == \"success\""}}}],
	  "edges":[{"from":"trigger","to":"lead"},{"from":"lead","to":"tidy"},{"from":"tidy","to":"form"},{"from":"form","to":"send"}]}`))
	client := srv.Client()
	env := &BasicEnv{HTTP: client, Inputs: map[string]string{"api_key": "k-123"}}
	payload := queryPayload("first_name=+Anna+&phone=%2B7+916+123-45-67&email=a%40b.c")
	b.Run("flow-5-nodes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tr, _ := prog.Run(context.Background(), payload, env)
			if tr.Status != StatusSuccess {
				b.Fatalf("run %s: %v", tr.Status, tr.Error)
			}
		}
	})
	b.Run("bare-http-post-baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			resp, err := client.Post(srv.URL+"/send_order", "application/x-www-form-urlencoded", strings.NewReader("api_key=k-123&name=ANNA&phone=79161234567"))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
