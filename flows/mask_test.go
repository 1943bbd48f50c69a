package flows

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// maskSecret has what the pipes change: case, digits, a slash, a plus, a quote, a space.
const maskSecret = `Sk_live-4821/Ab+9073"x y`

func TestMask_EveryPipeIsFollowedOrTakesNoSecretText(t *testing.T) {
	for _, name := range pipeNames() {
		if unfollowedPipes[name] {
			continue
		}
		if _, err := pipes[name].fn(maskSecret, nil, nil); err != nil {
			t.Errorf("pipe %s fails on a secret without arguments (%v): follow it with its argument or list it as unfollowed", name, err)
		}
	}
	for name := range unfollowedPipes {
		if _, ok := pipes[name]; !ok {
			t.Errorf("unfollowed pipe %s does not exist", name)
		}
	}
}

// TestMask_EveryRenderingOfASecretThroughPipesIsMaskedInTheTrace sends a secret input through
// every pipe and every chain of two into a header, a URL parameter, a form body and a step's
// output, and checks that what the target received is nowhere in the trace, and that the header,
// the parameter and the body field are masked whole.
func TestMask_EveryRenderingOfASecretThroughPipesIsMaskedInTheTrace(t *testing.T) {
	var chains [][]string
	for _, a := range pipeNames() {
		if unfollowedPipes[a] {
			continue
		}
		chains = append(chains, []string{a})
		for _, b := range pipeNames() {
			if !unfollowedPipes[b] {
				chains = append(chains, []string{a, b})
			}
		}
	}
	srv := newHTTPTarget(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		// A target that quotes what it got in its error, as many CRMs do.
		httpAnswer(400, `{"error":"key `+r.Header.Get("X-Key")+` is not valid"}`, "X-Echo", r.Header.Get("X-Key"))(0, w, r)
	})
	for _, chain := range chains {
		name := strings.Join(chain, " | ")
		t.Run(name, func(t *testing.T) {
			ref := "{{inputs.api_key | " + name + "}}"
			f := mustParse(t, `{"schema":1,"inputs":[{"key":"api_key","secret":true,"required":true}],
			  "nodes":[{"id":"trigger","kind":"webhook"},
			  {"id":"prep","kind":"set","config":{"fields":[{"key":"r","value":`+jsonString(ref)+`}]}},
			  {"id":"send","kind":"http","config":{"method":"POST","url":"`+srv.URL+`/in","retries":0,
			    "query":[{"key":"k","value":`+jsonString("q-"+ref)+`}],
			    "headers":[{"key":"X-Key","value":`+jsonString("pre "+ref)+`}],
			    "body":`+jsonString("a=1&k=b-"+ref)+`}}],
			  "edges":[{"from":"trigger","to":"prep"},{"from":"prep","to":"send"}]}`)
			before := len(srv.Hits())
			// A fixed clock: the digits of the run's times must not pass for a rendering of the secret.
			env := fixedEnv(map[string]string{"api_key": maskSecret})
			env.HTTP = srv.Client()
			tr, err := Run(context.Background(), f, httpTestPayload, env)
			if err != nil {
				t.Fatal(err)
			}
			hits := srv.Hits()
			if len(hits) != before+1 {
				t.Fatalf("the target got %d requests: %+v", len(hits)-before, tr)
			}
			rendered := strings.TrimPrefix(hits[len(hits)-1].Header.Get("X-Key"), "pre ")
			if len([]rune(rendered)) < minMasked {
				t.Skipf("%q is shorter than %d characters: not masked in free text by design", rendered, minMasked)
			}
			data, err := marshalPlain(tr)
			if err != nil {
				t.Fatal(err)
			}
			// Nor may the target's address (its random port): the secret is searched for elsewhere.
			data = bytes.ReplaceAll(data, []byte(strings.TrimPrefix(srv.URL, "http://")), []byte("target"))
			quoted, _ := marshalPlain(rendered)
			for _, leak := range []string{rendered, string(quoted[1 : len(quoted)-1]), url.QueryEscape(rendered)} {
				if len([]rune(leak)) >= minMasked && strings.Contains(string(data), leak) {
					t.Fatalf("the trace shows %q (the secret through %s):\n%s", leak, name, data)
				}
			}
			st, _ := tr.Step("send")
			if v, _ := httpHeaderValue(st.HTTP.Request.Headers, "X-Key"); v != maskText {
				t.Errorf("header X-Key shows %q, want it masked whole", v)
			}
			u, err := url.Parse(st.HTTP.Request.URL)
			if err != nil || u.Query().Get("k") != maskText {
				t.Errorf("URL %q: parameter k is not masked whole", st.HTTP.Request.URL)
			}
			// A rendering with "&" in it (html makes &quot;) written raw into "a=1&k=…" splits the
			// field, so the body is no longer a form: it is masked as text, not leaked.
			if strings.Contains(rendered, "&") {
				if !strings.Contains(st.HTTP.Request.Body, maskText) {
					t.Errorf("body %q, want the secret masked", st.HTTP.Request.Body)
				}
			} else if st.HTTP.Request.Body != "a=1&k="+maskText {
				t.Errorf("body %q, want the field k masked whole", st.HTTP.Request.Body)
			}
		})
	}
}

func TestMask_ShortSecretsAreNotMaskedInTextButSecretHeadersAlwaysAre(t *testing.T) {
	m := newMasker([]string{"abc", "ab12"})
	if got := m.text("abc and ab12"); got != "abc and "+maskText {
		t.Errorf("text = %q", got)
	}
	st := &StepTrace{HTTP: &HTTPExchange{Request: HTTPRequest{Headers: []KeyVal{{Key: "X-Pin", Value: "abc", Secret: true}, {Key: "X-Plain", Value: "abc"}}}}}
	newMasker(nil).step(st)
	if st.HTTP.Request.Headers[0].Value != maskText || st.HTTP.Request.Headers[1].Value != "abc" {
		t.Errorf("headers = %+v", st.HTTP.Request.Headers)
	}
}

func jsonString(s string) string {
	data, _ := marshalPlain(s)
	return string(data)
}
