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
	s1, s2 := a.Seal("api-key-1"), a.Seal("api-key-1")
	if s1 == s2 || !secrets.IsSealed(s1) || strings.Contains(s1, "api-key-1") {
		t.Fatalf("sealed %q and %q", s1, s2)
	}
	if got, err := a.Open(s1); err != nil || got != "api-key-1" {
		t.Fatalf("open: %q, %v", got, err)
	}
	if _, err := b.Open(s1); !errors.Is(err, secrets.ErrWrongKey) {
		t.Fatalf("another key: %v, want ErrWrongKey", err)
	}
	if got, err := a.Open("plain old value"); err != nil || got != "plain old value" {
		t.Fatalf("plain value: %q, %v", got, err)
	}
	for _, damaged := range []string{secrets.Prefix, secrets.Prefix + "!!!", s1[:len(s1)-2] + "AA"} {
		if _, err := a.Open(damaged); !errors.Is(err, secrets.ErrWrongKey) {
			t.Errorf("damaged %q: %v", damaged, err)
		}
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
	if got, err := b.Open(a.Seal("x")); err != nil || got != "x" {
		t.Fatal("the second start has another key")
	}
}

func TestLoad_RefusesAnUnreadableOrDamagedKeyFile(t *testing.T) {
	t.Run("damaged", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, secrets.KeyFileName), []byte("garbage"), 0o600)
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
		os.WriteFile(path, []byte("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY="), 0o000)
		_, _, _, err := secrets.Load("", dir)
		if err == nil || !strings.Contains(err.Error(), "cannot be read") || !strings.Contains(err.Error(), "permissions") {
			t.Fatalf("got %v", err)
		}
	})
}
