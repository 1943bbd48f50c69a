// Package secrets encrypts the secret values of flows at rest (secret input values and secret
// HTTP header values) with AES-256-GCM under the instance's key, and loads that key.
//
// A sealed value is "enc:v1:" + base64(nonce ‖ ciphertext); anything without the prefix is an
// old plain value, read as is and sealed on the next save or at start. It imports nothing of
// the server.
package secrets
