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

// Prefix marks a value sealed for its place (PrefixV1: sealed before values were bound to one).
const (
	Prefix   = "enc:v2:"
	PrefixV1 = "enc:v1:"
)

// KeySize is the key length: AES-256.
const KeySize = 32

// ErrWrongKey means a sealed value does not open with this key: it was sealed with another one
// or is damaged.
var ErrWrongKey = errors.New("a stored secret cannot be decrypted with this key")

// ErrWrongPlace means a sealed value does not open where it is: it was sealed for another team,
// flow or field and copied here (or was sealed with another key, or is damaged). It is never
// used there.
var ErrWrongPlace = errors.New("the encrypted value was made for another flow or field and was copied here, so it is not used; type the secret again")

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

// Place names where a sealed value belongs: its team, its flow and its field in the flow (an
// input key, a header of a node). It is the value's associated data, so a value copied to any
// other place does not open there.
func Place(team, flow, field string) string {
	return Prefix + team + "\x00" + flow + "\x00" + field
}

// IsSealed reports whether s looks like a sealed value (either format).
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) || strings.HasPrefix(s, PrefixV1) }

// IsUnbound reports whether s was sealed in the first format, which names no place.
func IsUnbound(s string) bool { return strings.HasPrefix(s, PrefixV1) }

// Seal encrypts plain for place with a fresh random nonce: sealing the same value twice gives
// different text, so equal secrets cannot be spotted in the database.
func (b *Box) Seal(plain, place string) string {
	return Prefix + b.seal(plain, place)
}

func (b *Box) seal(plain, aad string) string {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("secrets: no randomness: %v", err)) // crypto/rand does not fail on supported systems
	}
	return base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plain), []byte(aad)))
}

// Open decrypts a value sealed for place; a value without a prefix is returned as it is (stored
// before encryption existed). A value sealed for another place, or in the first format (which
// names no place), fails with ErrWrongPlace.
func (b *Box) Open(s, place string) (string, error) {
	switch {
	case strings.HasPrefix(s, Prefix):
		plain, err := b.open(s[len(Prefix):], place)
		if err != nil {
			return "", ErrWrongPlace
		}
		return plain, nil
	case strings.HasPrefix(s, PrefixV1):
		return "", ErrWrongPlace
	}
	return s, nil
}

// OpenUnbound decrypts a value sealed in the first format, before values were bound to their
// place: only for moving stored values to the current format (and the instance's key check).
func (b *Box) OpenUnbound(s string) (string, error) {
	if !strings.HasPrefix(s, PrefixV1) {
		return "", ErrWrongKey
	}
	plain, err := b.open(s[len(PrefixV1):], PrefixV1)
	if err != nil {
		return "", ErrWrongKey
	}
	return plain, nil
}

func (b *Box) open(encoded, aad string) (string, error) {
	data, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil || len(data) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", ErrWrongKey
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(aad))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(plain), nil
}

// SealUnbound seals in the first format. It exists for tests of the move to the current one.
func (b *Box) SealUnbound(plain string) string { return PrefixV1 + b.seal(plain, PrefixV1) }
