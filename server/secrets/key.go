package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFileName is the key file created in the data directory when no key is configured.
const KeyFileName = "secret.key"

// ParseKey reads a key given as base64 (standard or URL alphabet, padded or not) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("it decodes to %d bytes, but it must be %d random bytes in base64 (44 characters; make one with: openssl rand -base64 32)", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, fmt.Errorf("it is not base64; it must be %d random bytes in base64 (44 characters; make one with: openssl rand -base64 32)", KeySize)
}

// Load returns the Box of the configured key: envKey (HOOKFLOW_SECRET_KEY) when set, else the key
// file in dataDir, created with mode 0600 on first start. created says a new key file was made.
func Load(envKey, dataDir string) (box *Box, source string, created bool, err error) {
	if strings.TrimSpace(envKey) != "" {
		key, err := ParseKey(envKey)
		if err != nil {
			return nil, "", false, fmt.Errorf("HOOKFLOW_SECRET_KEY is not usable: %w", err)
		}
		box, err := New(key)
		return box, "HOOKFLOW_SECRET_KEY", false, err
	}
	path := filepath.Join(dataDir, KeyFileName)
	key, created, err := loadOrCreateKeyFile(path)
	if err != nil {
		return nil, "", false, err
	}
	box, err = New(key)
	return box, path, created, err
}

func loadOrCreateKeyFile(path string) ([]byte, bool, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		key, err := ParseKey(string(data))
		if err != nil {
			return nil, false, fmt.Errorf("the secret key file %s is damaged: %w; restore it from your backup", path, err)
		}
		return key, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, false, fmt.Errorf("the secret key file %s cannot be read (%w); fix its permissions or set HOOKFLOW_SECRET_KEY", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("creating the directory of the secret key file: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, fmt.Errorf("making a secret key: %w", err)
	}
	// O_EXCL: two processes starting at once must not each write their own key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreateKeyFile(path)
	}
	if err != nil {
		return nil, false, fmt.Errorf("creating the secret key file %s: %w", path, err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
		_ = os.Remove(path) // the write failed already: that error is the one to report
		return nil, false, fmt.Errorf("writing the secret key file %s: %w", path, err)
	}
	return key, true, nil
}
