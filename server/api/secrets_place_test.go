package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// recorder is a target that keeps every request it got (headers and body) as text.
type recorder struct {
	mu  sync.Mutex
	got []string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	var b strings.Builder
	_ = req.Header.Write(&b) // a strings.Builder does not fail
	b.Write(body)
	r.mu.Lock()
	r.got = append(r.got, b.String())
	r.mu.Unlock()
	w.Write([]byte(`{"status":"success"}`))
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.got, "\n")
}

func keyed(t *testing.T) func(*core.Config) {
	box := newBox(t, t.TempDir())
	return func(c *core.Config) { c.Secrets = box }
}

// newBox loads the secret key kept in dir (a folder with none gets a new one): the box that seals
// the flows' secrets with it.
func newBox(t testing.TB, dir string) *secrets.Box {
	t.Helper()
	box, _, _, err := secrets.Load("", dir)
	if err != nil {
		t.Fatal(err)
	}
	return box
}

// openStore opens a store of its own on opts; it is closed when the test ends.
func openStore(t testing.TB, opts store.Options) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// quietLog is a logger that writes nowhere.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testIn runs the flow now for real (the editor's "send for real") in a team.
func testIn(s *testServer, team, flowID string) {
	s.t.Helper()
	body := `{"payload":{"method":"GET","query":"x=1"}}`
	if code := s.callWith("POST", "/api/flows/"+flowID+"/test", body, "X-Hookflow-Team", team); code != 200 {
		s.t.Fatalf("test run of %s: %d", flowID, code)
	}
}

func TestSecrets_ACiphertextCopiedToAnotherTeamFlowOrFieldIsNeverDecrypted(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target, srv := startRecorder(t)
		s := startServer(t, dialect, http.DefaultClient, configured(keyed(t)))
		ctx := context.Background()

		var me struct{ Team string }
		s.call("GET", "/api/auth/me", nil, &me)
		teamA := me.Team
		var a flowView
		if code := callTeam(s, "POST", "/api/flows", `{"document":`+secretFlow(srv.URL)+`,"input_values":{"api_key":"`+inputSecret+`"}}`, teamA, &a); code != 201 {
			t.Fatalf("create in team A: %d", code)
		}
		// What someone who read a database backup holds: team A's sealed values.
		stored, err := s.st.Flow(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		sealedInput := parseValues(t, stored.Inputs)["api_key"]
		var doc struct {
			Nodes []struct {
				Config struct {
					Headers []struct{ Value string } `json:"headers"`
				} `json:"config"`
			} `json:"nodes"`
		}
		mustUnmarshal(t, []byte(stored.Document), &doc)
		sealedHeader := doc.Nodes[1].Config.Headers[0].Value
		if !secrets.IsSealed(sealedInput) || !secrets.IsSealed(sealedHeader) {
			t.Fatalf("not sealed: %q %q", sealedInput, sealedHeader)
		}

		var teamB struct{ ID string }
		if code := s.call("POST", "/api/teams", map[string]string{"name": "B"}, &teamB); code != 201 {
			t.Fatalf("create team B: %d", code)
		}
		// pasted puts both sealed values of team A into a flow document and its values.
		pasted := func(header, input string) string {
			d := strings.Replace(secretFlow(srv.URL), headerSecret, header, 1)
			return `{"document":` + d + `,"input_values":{"api_key":"` + input + `"}}`
		}
		cases := []struct{ name, team, body string }{
			{"into a flow of another team", teamB.ID, pasted(sealedHeader, sealedInput)},
			{"into another flow of the same team", teamA, pasted(sealedHeader, sealedInput)},
			{"into another field of the same flow", teamA, pasted(sealedInput, sealedHeader)},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				id := a.ID
				if i < 2 {
					var made flowView
					if code := callTeam(s, "POST", "/api/flows", `{"document":`+secretFlow(srv.URL)+`,"input_values":{"api_key":"typed"}}`, tc.team, &made); code != 201 {
						t.Fatalf("create: %d", code)
					}
					id = made.ID
				}
				if code := s.callWith("PUT", "/api/flows/"+id, tc.body, "X-Hookflow-Team", tc.team); code != 200 {
					t.Fatalf("PUT with pasted values: %d", code)
				}
				testIn(s, tc.team, id)
				if got := target.all(); strings.Contains(got, inputSecret) || strings.Contains(got, headerSecret) {
					t.Fatalf("the target received a secret decrypted outside its place:\n%s", got)
				}
			})
		}
		t.Run("imported into another team", func(t *testing.T) {
			var made flowView
			if code := callTeam(s, "POST", "/api/flows/import", pasted(sealedHeader, sealedInput), teamB.ID, &made); code != 201 {
				t.Fatalf("import: %d", code)
			}
			testIn(s, teamB.ID, made.ID)
			if got := target.all(); strings.Contains(got, inputSecret) || strings.Contains(got, headerSecret) {
				t.Fatalf("the target received a secret decrypted outside its place:\n%s", got)
			}
		})
		// The values still work where they belong.
		if code := s.callWith("PUT", "/api/flows/"+a.ID, `{"document":`+secretFlow(srv.URL)+`,"input_values":{"api_key":"`+inputSecret+`"}}`, "X-Hookflow-Team", teamA); code != 200 {
			t.Fatal("restore flow A")
		}
		testIn(s, teamA, a.ID)
		if got := target.all(); !strings.Contains(got, inputSecret) || !strings.Contains(got, headerSecret) {
			t.Fatalf("flow A's own secrets did not reach the target:\n%s", got)
		}
	})
}

func parseValues(t *testing.T, s string) map[string]string {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// callTeam is call acting in a team.
func callTeam(s *testServer, method, path, body, team string, out any) int {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+s.token)
	req.Header.Set("X-Hookflow-Team", team)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil && resp.StatusCode/100 == 2 {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestSecrets_ValuesSealedBeforePlacesAreSealedForTheirPlaceAtStartOnce(t *testing.T) {
	t.Parallel()
	onEachDatabase(t, func(t *testing.T, dialect string) {
		target, srv := startRecorder(t)
		ctx := context.Background()
		opts := testdb.Options(t, dialect)
		st, err := store.Open(ctx, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		box := newBox(t, t.TempDir())
		logs := &testkit.SyncBuffer{}
		log := slog.New(slog.NewTextHandler(logs, nil))
		app := core.New(core.Config{Logger: log, Secrets: box}, st, nil, nil)
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		v := createSecretFlow(t, app, srv.URL, inputSecret)
		other := createSecretFlow(t, app, srv.URL, "typed")
		app.Close(time.Second)

		// As an older release stored them: the first format, which names no place; and in
		// the second flow a value sealed for the first one (copied there).
		f, _ := st.Flow(ctx, v.ID)
		doc := regexp.MustCompile(`"enc:v2:[^"]*"`).ReplaceAllString(f.Document, `"`+box.SealUnbound(headerSecret)+`"`)
		if err := st.SetFlowSecrets(ctx, v.ID, doc, `{"api_key":"`+box.SealUnbound(inputSecret)+`"}`); err != nil {
			t.Fatal(err)
		}
		o, _ := st.Flow(ctx, other.ID)
		misplaced := box.Seal(inputSecret, secrets.Place("", v.ID, "input:api_key"))
		if err := st.SetFlowSecrets(ctx, other.ID, o.Document, `{"api_key":"`+misplaced+`"}`); err != nil {
			t.Fatal(err)
		}

		app = core.New(core.Config{Logger: log, Secrets: box}, st, nil, nil)
		if err := app.Start(ctx); err != nil {
			t.Fatalf("start: %v", err)
		}
		moved, _ := st.Flow(ctx, v.ID)
		if strings.Contains(moved.Document+moved.Inputs, secrets.PrefixV1) || !strings.Contains(moved.Inputs, secrets.Prefix) {
			t.Fatalf("not moved to the current format: %s %s", moved.Document, moved.Inputs)
		}
		if !strings.Contains(logs.String(), other.ID) || !strings.Contains(logs.String(), "setting api_key") {
			t.Errorf("the misplaced value is not reported with its flow and field:\n%s", logs.String())
		}
		if _, _, err := app.TestFlow(ctx, v.ID, flows.Payload{Method: "GET"}, nil); err != nil {
			t.Fatal(err)
		}
		if _, _, err := app.TestFlow(ctx, other.ID, flows.Payload{Method: "GET"}, nil); err != nil {
			t.Fatal(err)
		}
		app.Close(time.Second)
		got := target.all()
		if strings.Count(got, inputSecret) != 2 || !strings.Contains(got, headerSecret) {
			t.Fatalf("the moved values do not reach the target exactly from their own flow:\n%s", got)
		}

		// Once: a second start changes nothing.
		app = core.New(core.Config{Logger: log, Secrets: box}, st, nil, nil)
		if err := app.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer app.Close(time.Second)
		again, _ := st.Flow(ctx, v.ID)
		if again.Document != moved.Document || again.Inputs != moved.Inputs {
			t.Fatal("a second start sealed the values again")
		}
	})
}

func TestSecrets_AViewerReadingRunsNeverSeesASecretThroughAnyPipe(t *testing.T) {
	t.Parallel()
	const secret = "Sk_live-4821/Ab+9073xy"
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.WriteHeader(400) // a CRM quoting what it got in its error
		w.Write([]byte(`{"error":"` + r.Header.Get("Authorization") + ` ` + r.URL.RawQuery + ` ` + string(body) + ` are not valid"}`))
	}))
	defer target.Close()
	s := startServer(t, "sqlite", http.DefaultClient, configured(keyed(t)))
	ref := func(pipes string) string { return "{{inputs.api_key | " + pipes + "}}" }
	doc := `{"schema":1,"name":"Pipes","inputs":[{"key":"api_key","label":"API key","secret":true,"required":true}],
	  "nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"prep","kind":"set","config":{"fields":[{"key":"lower","value":"` + ref("lower") + `"},{"key":"json","value":"` + ref("json | base64") + `"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + target.URL + `/in","retries":0,
	    "query":[{"key":"k","value":"` + ref("upper | urlencode") + `"}],
	    "headers":[{"key":"Authorization","value":"Basic ` + ref("base64") + `"}],
	    "body":"key=` + ref("digits") + `&u=` + ref("urlencode") + `"}}],
	  "edges":[{"from":"trigger","to":"prep"},{"from":"prep","to":"send"}]}`
	var v flowView
	if code := s.call("POST", "/api/flows", `{"document":`+doc+`,"input_values":{"api_key":"`+secret+`"}}`, &v); code != 201 {
		t.Fatalf("create: %d %+v", code, v)
	}
	if code := s.call("POST", "/api/flows/"+v.ID+"/start", nil, &v); code != 200 {
		t.Fatalf("start: %d %+v", code, v)
	}
	hook(t, v.WebhookURL, "GET", "email=a%40b.c", "", "")
	runs := s.waitRuns(v.ID, "failed", 1, 20*time.Second)

	var inv struct{ Token string }
	if code := s.call("POST", "/api/invitations", `{"role":"viewer"}`, &inv); code != 201 {
		t.Fatalf("invite a viewer: %d", code)
	}
	var me struct{ Token string }
	if code := s.call("POST", "/api/auth/signup", map[string]string{"email": "viewer@example.com", "password": "password of viewer", "invitation": inv.Token}, &me); code != 201 {
		t.Fatalf("viewer signup: %d", code)
	}
	viewer := &testServer{t: t, URL: s.URL, token: me.Token}
	var seen strings.Builder
	for _, path := range []string{"/api/flows/" + v.ID + "/runs", "/api/runs/" + runs[0].ID, "/api/flows/" + v.ID, "/api/flows"} {
		var raw json.RawMessage
		if code := viewer.call("GET", path, nil, &raw); code != 200 {
			t.Fatalf("viewer GET %s: %d", path, code)
		}
		seen.Write(raw)
		// The API answers are JSON: read them as the viewer's browser does, unescaped.
		var decoded any
		mustUnmarshal(t, raw, &decoded)
		flat, _ := json.Marshal(decoded)
		seen.Write(flat)
		seen.WriteString(strings.NewReplacer(`\"`, `"`, `\u0026`, `&`, `\u003c`, `<`, `\u003e`, `>`).Replace(string(raw)))
	}
	b64 := base64.StdEncoding.EncodeToString
	quoted, _ := json.Marshal(secret)
	forms := map[string]string{
		"as typed": secret, "lower": strings.ToLower(secret), "upper": strings.ToUpper(secret),
		"base64": b64([]byte(secret)), "json | base64": b64(quoted), "upper | urlencode": url.QueryEscape(strings.ToUpper(secret)),
		"urlencode": url.QueryEscape(secret), "urlencode twice": url.QueryEscape(url.QueryEscape(secret)), "digits": "48219073",
	}
	for name, form := range forms {
		if strings.Contains(seen.String(), form) {
			t.Errorf("a viewer sees the secret %s: %q", name, form)
		}
	}
	if !strings.Contains(seen.String(), core.SecretMask) {
		t.Error("the viewer sees no mask at all: nothing was checked")
	}
}

func TestSecrets_RestoringAVersionKeepsItsSecretHeaderUsable(t *testing.T) {
	t.Parallel()
	target, srv := startRecorder(t)
	s := startServer(t, "sqlite", http.DefaultClient, configured(keyed(t)))
	var me struct{ Team string }
	s.call("GET", "/api/auth/me", nil, &me)
	var v flowView
	if code := callTeam(s, "POST", "/api/flows", `{"document":`+secretFlow(srv.URL)+`,"input_values":{"api_key":"`+inputSecret+`"}}`, me.Team, &v); code != 201 {
		t.Fatalf("create: %d", code)
	}
	changed := strings.Replace(secretFlow(srv.URL), headerSecret, "HEADER-SECRET-second", 1)
	if code := callTeam(s, "PUT", "/api/flows/"+v.ID, `{"document":`+changed+`}`, me.Team, &v); code != 200 || v.Version != 2 {
		t.Fatalf("second version: %d %+v", code, v)
	}
	if code := callTeam(s, "POST", "/api/flows/"+v.ID+"/versions/1/restore", "", me.Team, &v); code != 200 {
		t.Fatalf("restore: %d", code)
	}
	testIn(s, me.Team, v.ID)
	if got := target.all(); !strings.Contains(got, "X-Api-Key: "+headerSecret) {
		t.Fatalf("the restored version's secret header did not reach the target:\n%s", got)
	}
}

// Flows made before accounts existed belong to no team until the first owner signs up and
// their team adopts them: their secrets keep working, and the next start seals them for the team.
func TestSecrets_FlowsAdoptedByTheFirstTeamKeepTheirSecrets(t *testing.T) {
	t.Parallel()
	target, srv := startRecorder(t)
	ctx := context.Background()
	st := testdb.Open(t, "sqlite")
	log, box := quietLog(), newBox(t, t.TempDir())
	app := core.New(core.Config{Logger: log, Secrets: box}, st, nil, nil)
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	v := createSecretFlow(t, app, srv.URL, inputSecret)
	if err := st.CreateOwner(ctx, &store.User{ID: store.NewID(), Email: "owner@example.com"}, &store.Team{ID: store.NewID(), Name: "Ours"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.TestFlow(ctx, v.ID, flows.Payload{Method: "GET"}, nil); err != nil {
		t.Fatal(err)
	}
	app.Close(time.Second)
	if got := target.all(); !strings.Contains(got, inputSecret) || !strings.Contains(got, headerSecret) {
		t.Fatalf("the adopted flow's secrets did not reach the target:\n%s", got)
	}
	before, _ := st.Flow(ctx, v.ID)
	app = core.New(core.Config{Logger: log, Secrets: box}, st, nil, nil)
	if err := app.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer app.Close(time.Second)
	after, _ := st.Flow(ctx, v.ID)
	if after.Inputs == before.Inputs {
		t.Fatal("the start did not seal the adopted flow's values for its team")
	}
	if got, err := box.Open(parseValues(t, after.Inputs)["api_key"], secrets.Place(after.TeamID, v.ID, "input:api_key")); err != nil || got != inputSecret {
		t.Fatalf("sealed for the team: %q, %v", got, err)
	}
}

// startRecorder serves a recorder of the requests it gets, until the test ends.
func startRecorder(t *testing.T) (*recorder, *httptest.Server) {
	target := &recorder{}
	srv := httptest.NewServer(target)
	t.Cleanup(srv.Close)
	return target, srv
}

// createSecretFlow creates, on app, a flow that sends to url with apiKey as its secret input.
func createSecretFlow(t *testing.T, app *core.App, url, apiKey string) *core.FlowView {
	t.Helper()
	v, err := app.Flows().Create(context.Background(), core.FlowInput{Document: mustFlow(t, secretFlow(url)), InputValues: map[string]string{"api_key": apiKey}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
