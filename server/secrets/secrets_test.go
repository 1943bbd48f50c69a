package secrets_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/server/secrets"
)

func TestBox_SealsWithAFreshNonceAndOpensOnlyWithItsKey(t *testing.T) {
	a, _, _, err := secrets.Load("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, _, _, _ := secrets.Load("", t.TempDir())
	here := secrets.Place("team-a", "flow-1", "input:api_key")
	s1, s2 := a.Seal("api-key-1", here), a.Seal("api-key-1", here)
	if s1 == s2 || !secrets.IsSealed(s1) || strings.Contains(s1, "api-key-1") {
		t.Fatalf("sealed %q and %q", s1, s2)
	}
	if got, err := a.Open(s1, here); err != nil || got != "api-key-1" {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := b.Open(s1, here); err == nil {
		t.Fatal("another key opens the value")
	}
	if got, err := a.Open("plain old value", here); err != nil || got != "plain old value" {
		t.Fatalf("plain value: %q, %v", got, err)
	}
	// One character of the ciphertext changed (to another: a fixed replacement would sometimes
	// be the character already there, and the "damaged" value the sealed one).
	flipped := []byte(s1)
	if i := len(flipped) - 10; flipped[i] == 'A' {
		flipped[i] = 'B'
	} else {
		flipped[i] = 'A'
	}
	for _, damaged := range []string{secrets.Prefix, secrets.Prefix + "!!!", string(flipped)} {
		if _, err := a.Open(damaged, here); err == nil {
			t.Errorf("damaged %q opens", damaged)
		}
	}
}

func TestBox_ASealedValueOpensOnlyInTheTeamFlowAndFieldItWasSealedFor(t *testing.T) {
	box, _, _, err := secrets.Load("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal("sk_live_1", secrets.Place("team-a", "flow-1", "input:api_key"))
	for _, elsewhere := range []struct{ name, team, flow, field string }{
		{"another team", "team-b", "flow-1", "input:api_key"},
		{"another flow", "team-a", "flow-2", "input:api_key"},
		{"another field", "team-a", "flow-1", "input:token"},
		{"a header", "team-a", "flow-1", "header:send\x00X-Api-Key"},
		{"ids shifted between team and flow", "team-aflow-1", "", "input:api_key"},
	} {
		t.Run(elsewhere.name, func(t *testing.T) {
			got, err := box.Open(sealed, secrets.Place(elsewhere.team, elsewhere.flow, elsewhere.field))
			if !errors.Is(err, secrets.ErrWrongPlace) || got != "" {
				t.Fatalf("opened %q, %v; want ErrWrongPlace", got, err)
			}
		})
	}
}

func TestBox_ValuesOfTheFirstFormatOpenOnlyForTheirMove(t *testing.T) {
	box, _, _, err := secrets.Load("", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old := box.SealUnbound("sk_live_1")
	if !secrets.IsSealed(old) || !secrets.IsUnbound(old) || !strings.HasPrefix(old, secrets.PrefixV1) {
		t.Fatalf("first format: %q", old)
	}
	if _, err := box.Open(old, secrets.Place("team-a", "flow-1", "input:api_key")); !errors.Is(err, secrets.ErrWrongPlace) {
		t.Fatalf("a first-format value opens at a place: %v", err)
	}
	if got, err := box.OpenUnbound(old); err != nil || got != "sk_live_1" {
		t.Fatalf("move: %q, %v", got, err)
	}
	other, _, _, _ := secrets.Load("", t.TempDir())
	if _, err := other.OpenUnbound(old); !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("another key: %v, want ErrWrongKey", err)
	}
}

func TestLoad_SaysExactlyWhatIsWrongWithTheKey(t *testing.T) {
	cases := []struct{ name, key, want string }{
		{"not base64", "not a key!", "not base64"},
		{"too short", "c2hvcnQ=", "decodes to 5 bytes"},
		{"too long", strings.Repeat("QUFB", 12), "decodes to 36 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := secrets.Load(tc.key, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), "HOOKFLOW_SECRET_KEY") || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "openssl rand -base64 32") {
				t.Fatalf("got %v, want an error naming HOOKFLOW_SECRET_KEY, %q and how to make a key", err, tc.want)
			}
		})
	}
	if _, src, _, err := secrets.Load("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", t.TempDir()); err != nil || src != "HOOKFLOW_SECRET_KEY" {
		t.Fatalf("a good key: %v (%s)", err, src)
	}
}

func TestLoad_KeyFileIsCreatedOnceWith0600AndReusedAfter(t *testing.T) {
	dir := t.TempDir()
	a, path, created, err := secrets.Load("", dir)
	if err != nil || !created {
		t.Fatalf("%v, created %v", err, created)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _, created, err := secrets.Load("", dir)
	if err != nil || created {
		t.Fatalf("second start: %v, created %v", err, created)
	}
	if got, err := b.Open(a.Seal("x", "p"), "p"); err != nil || got != "x" {
		t.Fatal("the second start has another key")
	}
}

func TestLoad_RefusesAnUnreadableOrDamagedKeyFile(t *testing.T) {
	t.Run("damaged", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, secrets.KeyFileName), []byte("garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := secrets.Load("", dir)
		if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "backup") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, secrets.KeyFileName)
		if err := os.WriteFile(path, []byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="), 0o000); err != nil {
			t.Fatal(err)
		}
		_, _, _, err := secrets.Load("", dir)
		if err == nil || !strings.Contains(err.Error(), "cannot be read") || !strings.Contains(err.Error(), "permissions") {
			t.Fatalf("got %v", err)
		}
	})
}
