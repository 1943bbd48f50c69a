// Package secrets encrypts the secret values of flows at rest (secret input values and secret
// HTTP header values) with AES-256-GCM under the instance's key, and loads that key.
//
// A sealed value is "enc:v2:" + base64(nonce ‖ ciphertext), sealed with its place (team, flow
// and field, see Place) as associated data: a value copied into another team's flow, another
// flow or another field of the same flow does not open there. "enc:v1:" values were sealed
// before places existed; the server moves them to "enc:v2:" at start. Anything without a prefix
// is an old plain value, read as is and sealed on the next save or at start. It imports nothing
// of the server.
package secrets
