package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServe_SecretKeyFileOnFirstStartAndClearRefusals(t *testing.T) {
	dir := t.TempDir()
	start := func(key string) error {
		return startAndStop(t, serveConfig{Addr: "127.0.0.1:0", DataDir: dir, SecretKey: key, Workers: 1, LogLevel: "error"})
	}

	if err := start(""); err != nil {
		t.Fatalf("first start: %v", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "secret.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	if err := start(""); err != nil {
		t.Fatalf("second start with the same key file: %v", err)
	}

	cases := []struct{ name, key, want string }{
		{"not base64", "hunter2!", "HOOKFLOW_SECRET_KEY is not usable: it is not base64"},
		{"wrong length", "c2hvcnQ=", "decodes to 5 bytes"},
		{"another valid key", "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=", "does not open the secrets stored in this database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := start(tc.key)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestServe_RefusedStartLeavesNoNewKeyFileBehind(t *testing.T) {
	dir := t.TempDir()
	start := func() error {
		return startAndStop(t, serveConfig{Addr: "127.0.0.1:0", DataDir: dir, Workers: 1, LogLevel: "error"})
	}
	if err := start(); err != nil {
		t.Fatalf("first start: %v", err)
	}
	keyFile := filepath.Join(dir, "secret.key")
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	err := start()
	if err == nil || !strings.Contains(err.Error(), "does not open the secrets stored in this database") {
		t.Fatalf("start without the key file: %v, want a refusal", err)
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Fatalf("a refused start left a key file behind (%v): the next start would use a key that opens nothing", err)
	}
}

// startAndStop runs serve with cfg until it is ready, then stops it: serve's error, if it
// refused to start or to stop cleanly.
func startAndStop(t *testing.T, cfg serveConfig) error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- serve(ctx, cfg, io.Discard, ready) }()
	select {
	case <-ready:
		cancel()
		return <-errc
	case err := <-errc:
		return err
	case <-time.After(time.Minute): // a hang, not a speed bound
		t.Fatal("serve neither started nor failed")
		return nil
	}
}
