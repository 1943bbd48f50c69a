package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testkit"
	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// apiClient calls a server started by serveDir as its owner.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

func (c *apiClient) call(method, path string, body, out any) int {
	c.t.Helper()
	return testkit.CallJSON(c.t, c.base, c.token, method, path, body, out)
}

// serveDir serves from the SQLite database in dir until the returned stop is called.
func serveDir(t *testing.T, dir string) (addr string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- serve(ctx, serveConfig{Addr: "127.0.0.1:0", DataDir: dir, Workers: 2, LogLevel: "error", MaxBody: 1 << 20, MaxConnections: 64}, io.Discard, ready)
	}()
	select {
	case a := <-ready:
		var once sync.Once
		stop = func() { once.Do(func() { cancel(); logStop(t, <-errc) }) }
		t.Cleanup(stop)
		return "http://" + a, stop
	case err := <-errc:
		cancel()
		t.Fatal(err)
	case <-time.After(time.Minute): // a hang, not a speed bound
		t.Fatal("serve did not start")
	}
	return "", nil
}

// A backup taken while the server takes webhooks, restored into another data directory with
// the same secret key, serves the same flows and runs, and the flow's secret still reaches its
// target. Restore refuses a data directory a server is using.
func TestBackup_RoundTripWhileServingKeepsFlowsSecretsAndRuns(t *testing.T) {
	const apiKey = "KEY-of-the-target-5b1e"
	var mu sync.Mutex
	var keys []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys = append(keys, r.Header.Get("X-Token"))
		mu.Unlock()
		w.Write([]byte(`{"status":"success"}`))
	}))
	defer target.Close()
	received := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), keys...)
	}

	dirA := t.TempDir()
	addr, stopA := serveDir(t, dirA)
	c := &apiClient{t: t, base: addr}
	var me struct{ Token string }
	if code := c.call("POST", "/api/auth/signup", map[string]string{"email": "owner@example.com", "password": "password of owner"}, &me); code != 201 {
		t.Fatalf("signup: %d", code)
	}
	c.token = me.Token
	doc := json.RawMessage(`{"schema":1,"name":"Лиды в CPA.House","inputs":[{"key":"api_key","label":"API key","secret":true,"required":true}],
	  "nodes":[{"id":"trigger","kind":"webhook"},{"id":"send","kind":"http","config":{"method":"POST","url":"` + target.URL + `/lead",
	    "headers":[{"key":"X-Token","value":"{{inputs.api_key}}"}],"body":"email={{trigger.params.email}}","retries":0}}],
	  "edges":[{"from":"trigger","to":"send"}]}`)
	var flow struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	if code := c.call("POST", "/api/flows", map[string]any{"document": doc, "input_values": map[string]string{"api_key": apiKey}}, &flow); code != 201 {
		t.Fatalf("create flow: %d", code)
	}
	if code := c.call("POST", "/api/flows/"+flow.ID+"/start", nil, nil); code != 200 {
		t.Fatalf("start: %d", code)
	}
	hook := strings.Replace(flow.WebhookURL, "http://localhost", addr, 1)
	if !strings.HasPrefix(hook, addr) {
		hook = addr + hook[strings.Index(hook, "/hooks/"):]
	}
	send := func(i int) {
		resp, err := http.Post(hook+"?email=u"+fmt.Sprint(i)+"%40example.ru", "text/plain", nil)
		if err != nil {
			t.Error(err)
			return
		}
		resp.Body.Close()
	}
	runs := func(c *apiClient) int {
		var res struct{ Runs []json.RawMessage }
		c.call("GET", "/api/flows/"+flow.ID+"/runs?limit=500", nil, &res)
		return len(res.Runs)
	}
	for i := range 20 {
		send(i)
	}
	testkit.EventuallyNil(t, time.Minute, func() error {
		if n := runs(c); n < 20 {
			return fmt.Errorf("%d of 20 runs stored", n)
		}
		return nil
	})

	// The backup is taken while webhooks keep arriving.
	stopSending := make(chan struct{})
	sending := make(chan struct{})
	go func() {
		defer close(sending)
		for i := 100; ; i++ {
			select {
			case <-stopSending:
				return
			default:
				send(i)
			}
		}
	}()
	backup := filepath.Join(t.TempDir(), "hookflow-backup.db")
	code, out, errOut := cli(t, "backup", backup, "--data-dir", dirA)
	if code != 0 || !strings.Contains(out, "secret.key") {
		t.Fatalf("backup → %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = cli(t, "restore", backup, "--data-dir", dirA)
	close(stopSending)
	<-sending
	if code == 0 || !strings.Contains(errOut, "stop it first") || !strings.Contains(errOut, store.LockFileName) {
		t.Fatalf("restore over a served data directory → %d, %q; want a refusal naming the lock", code, errOut)
	}
	if code, _, _ := cli(t, "backup", backup, "--data-dir", dirA); code == 0 {
		t.Fatal("a second backup overwrote the first")
	}
	atBackup := runs(c)
	stopA()

	// Another machine: the same secret key, the backup restored, served.
	dirB := t.TempDir()
	key, err := os.ReadFile(filepath.Join(dirA, secrets.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, secrets.KeyFileName), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cli(t, "restore", backup, "--data-dir", dirB); code != 0 {
		t.Fatalf("restore → %d\n%s%s", code, out, errOut)
	}
	addrB, stopB := serveDir(t, dirB)
	b := &apiClient{t: t, base: addrB, token: me.Token}
	var got struct {
		Name        string            `json:"name"`
		Active      bool              `json:"active"`
		InputValues map[string]string `json:"input_values"`
	}
	if code := b.call("GET", "/api/flows/"+flow.ID, nil, &got); code != 200 || !got.Active {
		t.Fatalf("the restored flow: %d %+v", code, got)
	}
	if n := runs(b); n < 20 || n > atBackup {
		t.Fatalf("the restored journal has %d runs; want from 20 to %d", n, atBackup)
	}
	// The secret, decrypted with the same key, reaches the target from the restored server.
	before := len(received())
	hookB := addrB + hook[len(addr):]
	resp, err := http.Post(hookB+"?email=after%40example.ru", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	testkit.Eventually(t, time.Minute, func() bool { return len(received()) > before }, "the restored server did not deliver the webhook")
	if k := received()[len(received())-1]; k != apiKey {
		t.Fatalf("the restored flow sent the key %q, want %q", k, apiKey)
	}

	// Once its server has stopped, restoring over a database keeps the one it replaces.
	stopB()
	code, out, errOut = cli(t, "restore", backup, "--data-dir", dirB)
	kept, found := strings.CutPrefix(strings.Split(out, "\n")[1], "the database that was there is kept as ")
	if code != 0 || !found {
		t.Fatalf("restore over a stopped server's database → %d\n%s%s", code, out, errOut)
	}
	if _, err := os.Stat(strings.Fields(kept)[0]); err != nil {
		t.Fatalf("the replaced database was not kept: %v", err)
	}
}

// Backup and restore of PostgreSQL are pg_dump's and pg_restore's: the commands say so and print
// the line to run, without the password.
func TestBackup_PostgreSQLPrintsThePgDumpLine(t *testing.T) {
	url := "postgres://hookflow:s3cret@db.internal:5432/hookflow?sslmode=disable"
	code, out, errOut := cli(t, "backup", "/backups/hookflow.dump", "--database-url", url)
	if code == 0 || !strings.Contains(errOut, "pg_dump") || out != "pg_dump --format=custom --file=/backups/hookflow.dump 'postgres://hookflow@db.internal:5432/hookflow?sslmode=disable'\n" {
		t.Fatalf("backup on PostgreSQL → %d %q %q", code, out, errOut)
	}
	code, out, _ = cli(t, "restore", "my backup.dump", "--database-url", url)
	if code == 0 || out != "pg_restore --clean --if-exists --no-owner --dbname='postgres://hookflow@db.internal:5432/hookflow?sslmode=disable' 'my backup.dump'\n" {
		t.Fatalf("restore on PostgreSQL → %d %q", code, out)
	}
}
