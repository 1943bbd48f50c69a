package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Token prefixes say what a secret is when someone finds one in a script or a log.
const (
	prefixSession    = "hfs_"
	prefixAPI        = "hft_"
	prefixInvitation = "hfi_"
)

// newSecret returns a random token (256 bits) with its prefix, and the hash that is stored.
func newSecret(prefix string) (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // the system's randomness is gone: nothing is safe to do
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is how tokens are found in the database: SHA-256 is enough for 256 random bits (no
// salt or slow hash needed, unlike passwords).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
