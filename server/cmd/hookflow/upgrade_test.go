package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testkit"
)

// copyDir copies the fixture so the test never changes the committed files.
func copyDir(t *testing.T, from string) string {
	t.Helper()
	to := t.TempDir()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return to
}

func getAs(t *testing.T, token, url string, out any) {
	t.Helper()
	var body json.RawMessage
	if code := testkit.CallJSON(t, "", token, "GET", url, nil, &body); code != 200 {
		t.Fatalf("GET %s: %d %s", url, code, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, body)
	}
}

// The data directory of the first release (testdata/release-1, made by its make.sh with that
// release's binary: accounts, an API token, an invitation, two flows, one with a sealed API
// key, versions, delivered, filtered and failed runs) opens under today's code: the schema is
// migrated, the owner signs in with the old password, the flows, journal and secrets are there,
// and a new webhook is run.
func TestUpgrade_TheFirstReleasesDataOpensMigratesAndServes(t *testing.T) {
	dir := copyDir(t, "testdata/release-1/data")
	p := startServerProcess(t, dir)

	resp, err := http.Post(p.addr+"/api/auth/login", "application/json",
		strings.NewReader(`{"email":"owner@example.com","password":"release-1-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	var me struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.Token == "" {
		t.Fatalf("the owner of release 1 cannot sign in: %d", resp.StatusCode)
	}

	var flowsAnswer struct{ Flows []map[string]any }
	getAs(t, me.Token, p.addr+"/api/flows", &flowsAnswer)
	if len(flowsAnswer.Flows) != 2 {
		t.Fatalf("flows: %d, want 2", len(flowsAnswer.Flows))
	}
	byName := map[string]map[string]any{}
	for _, f := range flowsAnswer.Flows {
		byName[f["name"].(string)] = f
	}
	cpa, plain := byName["GetCourse → CPA.House"], byName["Untitled flow"]
	if cpa == nil || plain == nil {
		t.Fatalf("flows by name: %v", flowsAnswer)
	}

	// The server refuses to start on a key that does not open the stored secrets, so the start
	// itself proves the sealed API key opens; the answer shows it masked.
	var cpaView map[string]any
	getAs(t, me.Token, p.addr+"/api/flows/"+cpa["id"].(string), &cpaView)
	values, _ := cpaView["input_values"].(map[string]any)
	if values["id_webmaster"] != "11" || values["api_key"] != "••••••" {
		t.Fatalf("the flow's inputs after the upgrade: %v", values)
	}
	if strings.Contains(toJSON(cpaView), "cpa-secret-key-0001") {
		t.Fatal("the sealed API key is shown")
	}

	var runs struct{ Runs []map[string]any }
	getAs(t, me.Token, p.addr+"/api/flows/"+plain["id"].(string)+"/runs", &runs)
	statuses := map[string]int{}
	for _, r := range runs.Runs {
		statuses[r["status"].(string)]++
	}
	if statuses["success"] != 3 || statuses["filtered"] != 1 {
		t.Fatalf("the journal of release 1: %v", statuses)
	}

	hook, err := http.Get(plain["webhook_url"].(string) + "?email=after-upgrade@example.com")
	if err != nil {
		t.Fatal(err)
	}
	hook.Body.Close()
	if hook.StatusCode >= 300 {
		t.Fatalf("webhook after the upgrade: %d", hook.StatusCode)
	}
	testkit.EventuallyNil(t, 30*time.Second, func() error {
		getAs(t, me.Token, p.addr+"/api/flows/"+plain["id"].(string)+"/runs", &runs)
		if len(runs.Runs) != 5 || runs.Runs[0]["status"] != "success" {
			return fmt.Errorf("the new webhook's run: %v", runs.Runs)
		}
		return nil
	})
}

func toJSON(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}
