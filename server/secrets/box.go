package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Prefix marks a sealed value; the version lets a later format (or key rotation) coexist.
const Prefix = "enc:v1:"

// KeySize is the key length: AES-256.
const KeySize = 32

// ErrWrongKey means a sealed value does not open with this key: it was sealed with another one
// or is damaged.
var ErrWrongKey = errors.New("a stored secret cannot be decrypted with this key")

// Box seals and opens values with one key. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the secret key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	return &Box{aead: aead}, nil
}

// IsSealed reports whether s looks like a sealed value.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// Seal encrypts plain with a fresh random nonce: sealing the same value twice gives different
// text, so equal secrets cannot be spotted in the database.
func (b *Box) Seal(plain string) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("secrets: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	out := b.aead.Seal(nonce, nonce, []byte(plain), []byte(Prefix))
	return Prefix + base64.RawStdEncoding.EncodeToString(out)
}

// Open decrypts a sealed value; a value without the prefix is returned as it is (stored before
// encryption existed).
func (b *Box) Open(s string) (string, error) {
	if !IsSealed(s) {
		return s, nil
	}
	data, err := base64.RawStdEncoding.DecodeString(s[len(Prefix):])
	if err != nil || len(data) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", ErrWrongKey
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(Prefix))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}
