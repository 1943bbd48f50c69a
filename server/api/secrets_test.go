package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
	"github.com/hookflow/hookflow/server/secrets"
)

const (
	inputSecret  = "INPUT-SECRET-7f3a9c"
	headerSecret = "HEADER-SECRET-51d2e8"
)

// secretFlow sends both secrets to target, which quotes them back in its error: every place
// that shows the answer must mask them.
func secretFlow(target string) string {
	return `{"schema":1,"name":"Secrets","inputs":[{"key":"api_key","label":"API key","secret":true,"required":true}],
	  "nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"send","kind":"http","name":"Send lead","config":{"method":"POST","url":"` + target + `/lead",
	    "headers":[{"key":"X-Api-Key","value":"` + headerSecret + `","secret":true},{"key":"X-Token","value":"{{inputs.api_key}}"}],
	    "body":"key={{inputs.api_key}}","retries":0,
	    "success":{"condition":"status == \"success\"","error_path":"msg"}}}],
	  "edges":[{"from":"trigger","to":"send"}]}`
}

func TestSecrets_NeverInTheDatabaseFileAPITracesLiveLogOrEmail(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var received []http.Header
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		received = append(received, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"error","msg":"keys ` + r.Header.Get("X-Api-Key") + ` / ` + string(body) + ` are not valid"}`))
	}))
	defer target.Close()

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mailbox, mailer := startMailer(t, log)

	opts := testdb.Options(t, "sqlite")
	st := openStore(t, opts)
	box, keyFile, created, err := secrets.Load("", opts.DataDir)
	if err != nil || !created {
		t.Fatalf("key file: %v (created %v)", err, created)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	// No HTTPClient: the default outbound policy client (loopback targets are allowed by default).
	s := startServer(t, "", nil, onStore(st), notifying(mailer), configured(func(c *core.Config) { c.Logger, c.Secrets = log, box }))

	var answers bytes.Buffer // every API answer, searched at the end
	record := func(method, path string, body any) []byte {
		var raw json.RawMessage
		s.call(method, path, body, &raw)
		answers.Write(raw)
		return raw
	}
	var v flowView
	created1 := record("POST", "/api/flows", `{"document":`+secretFlow(target.URL)+`,"input_values":{"api_key":"`+inputSecret+`"},
	  "settings":{"recipients":["owner@example.com"]}}`)
	mustUnmarshal(t, created1, &v)
	if v.ID == "" {
		t.Fatalf("create: %s", created1)
	}
	// The editor sends back what it got (masked): the stored secrets are kept, no new version.
	var full struct {
		Document json.RawMessage   `json:"document"`
		Values   map[string]string `json:"input_values"`
	}
	mustUnmarshal(t, record("GET", "/api/flows/"+v.ID, nil), &full)
	var updated flowView
	mustUnmarshal(t, record("PUT", "/api/flows/"+v.ID, map[string]any{"document": full.Document, "input_values": full.Values}), &updated)
	if updated.Version != 1 {
		t.Errorf("saving unchanged masked values made version %d", updated.Version)
	}
	record("POST", "/api/flows/"+v.ID+"/start", nil)

	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(s.URL, "http")+"/api/flows/"+v.ID+"/live", s.authHeader())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	hook(t, v.WebhookURL, "GET", "email=a%40b.c", "", "")
	var liveLog bytes.Buffer
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, msg, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("live log: %v", err)
		}
		liveLog.Write(msg)
		if bytes.Contains(msg, []byte(`"run_finished"`)) {
			break
		}
	}
	runs := s.waitRuns(v.ID, "failed", 1, 20*time.Second)
	record("GET", "/api/flows/"+v.ID+"/runs", nil)
	record("GET", "/api/runs/"+runs[0].ID, nil)
	record("GET", "/api/flows", nil)
	record("GET", "/api/flows/"+v.ID+"/export", nil)
	record("GET", "/api/flows/"+v.ID+"/template", nil)
	record("GET", "/api/flows/"+v.ID+"/versions/1", nil)
	record("POST", "/api/flows/"+v.ID+"/test", map[string]any{"payload": map[string]any{"method": "GET", "query": "x=1"}, "document": full.Document})

	mails := strings.Join(sentMails(t, mailbox, mailer, 10*time.Second), "\n")
	if mails == "" {
		t.Fatal("no failure email")
	}

	// The target got the real values: decryption works where it must.
	mu.Lock()
	if len(received) < 2 || received[0].Get("X-Api-Key") != headerSecret || received[0].Get("X-Token") != inputSecret ||
		received[1].Get("X-Api-Key") != headerSecret {
		t.Errorf("the target received %v", received)
	}
	mu.Unlock()

	// The database files, main and write-ahead log, after saves and runs.
	var files bytes.Buffer
	entries, _ := os.ReadDir(opts.DataDir)
	for _, e := range entries {
		if e.Name() == secrets.KeyFileName {
			continue
		}
		data, err := os.ReadFile(filepath.Join(opts.DataDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files.Write(data)
	}
	if files.Len() == 0 {
		t.Fatal("no database files found")
	}
	if !bytes.Contains(files.Bytes(), []byte(secrets.Prefix)) {
		t.Error("the database holds no sealed values at all")
	}
	for where, text := range map[string][]byte{
		"database files": files.Bytes(), "API answers": answers.Bytes(), "live log": liveLog.Bytes(), "email": []byte(decodeMail(mails)),
	} {
		for _, secret := range []string{inputSecret, headerSecret} {
			if bytes.Contains(text, []byte(secret)) {
				t.Errorf("%s contain the secret %s", where, secret)
			}
		}
	}
	if !strings.Contains(answers.String(), core.SecretMask) {
		t.Error("the API shows no masked value")
	}
}

func TestSecrets_StartRefusesAKeyThatCannotOpenTheStoredSecrets(t *testing.T) {
	t.Parallel()
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { testSecrets_StartRefusesAKeyThatCannotOpenTheStoredSecrets(t, dialect) })
	}
}

func testSecrets_StartRefusesAKeyThatCannotOpenTheStoredSecrets(t *testing.T, dialect string) {
	st := openStore(t, testdb.Options(t, dialect))
	log := quietLog()
	app := core.New(core.Config{Logger: log, Secrets: newBox(t, t.TempDir())}, st, nil, nil)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	doc := mustFlow(t, secretFlow("https://crm.example"))
	if _, err := app.Flows().Create(context.Background(), core.FlowInput{Document: doc, InputValues: map[string]string{"api_key": inputSecret}}); err != nil {
		t.Fatal(err)
	}
	app.Close(time.Second)

	other, _, _, err := secrets.Load("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", "")
	if err != nil {
		t.Fatal(err)
	}
	app2 := core.New(core.Config{Logger: log, Secrets: other}, st, nil, nil)
	err = app2.Start(context.Background())
	if !errors.Is(err, core.ErrSecretKeyMismatch) {
		t.Fatalf("start with another key: %v, want ErrSecretKeyMismatch", err)
	}
	if !strings.Contains(err.Error(), "key used before") || !strings.Contains(err.Error(), "backup") {
		t.Errorf("the refusal does not say what to do: %v", err)
	}
	app2.Close(time.Second)
}

func TestSecrets_PlainValuesStoredBeforeEncryptionAreSealedAtStart(t *testing.T) {
	t.Parallel()
	for _, dialect := range testdb.Dialects() {
		t.Run(dialect, func(t *testing.T) { testSecrets_PlainValuesStoredBeforeEncryptionAreSealedAtStart(t, dialect) })
	}
}

func testSecrets_PlainValuesStoredBeforeEncryptionAreSealedAtStart(t *testing.T, dialect string) {
	opts := testdb.Options(t, dialect)
	st := openStore(t, opts)
	log := quietLog()
	old := core.New(core.Config{Logger: log}, st, nil, nil) // no key: values stored as given
	if err := old.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	v, err := old.Flows().Create(context.Background(), core.FlowInput{Document: mustFlow(t, secretFlow("https://crm.example")),
		InputValues: map[string]string{"api_key": inputSecret}})
	if err != nil {
		t.Fatal(err)
	}
	old.Close(time.Second)

	app := core.New(core.Config{Logger: log, Secrets: newBox(t, t.TempDir())}, st, nil, nil)
	if err := app.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer app.Close(time.Second)
	f, err := st.Flow(context.Background(), v.ID)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := st.FlowVersion(context.Background(), v.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	for what, text := range map[string]string{"document": f.Document, "input values": f.Inputs, "version 1": ver.Document} {
		if strings.Contains(text, inputSecret) || strings.Contains(text, headerSecret) {
			t.Errorf("%s still holds a plain secret: %s", what, text)
		}
		if !strings.Contains(text, secrets.Prefix) {
			t.Errorf("%s holds no sealed value: %s", what, text)
		}
	}
	if f.Version != 1 {
		t.Errorf("sealing made version %d", f.Version)
	}
	if dialect != "sqlite" {
		return // PostgreSQL keeps no file of ours to read; see store.Compact
	}
	// The plain values written before encryption must not survive in free pages or the
	// write-ahead log of the database file: read its raw bytes.
	entries, err := os.ReadDir(opts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(opts.DataDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		read += len(data)
		for _, secret := range []string{inputSecret, headerSecret} {
			if bytes.Contains(data, []byte(secret)) {
				t.Errorf("the database file %s still holds the plain secret %s after sealing", e.Name(), secret)
			}
		}
	}
	if read == 0 {
		t.Fatal("no database files found")
	}
}
