package flowstest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Google stands in for Google's OAuth token endpoint and the Sheets API, as their public
// documentation describes them: the token endpoint takes a JWT signed with the service account's
// private key (grant type jwt-bearer) and answers {"access_token", "expires_in", "token_type"};
// spreadsheets.values.append takes that token as a Bearer and answers an AppendValuesResponse.
// Errors are Google's: {"error", "error_description"} from the token endpoint,
// {"error": {"code", "message", "status"}} from the API.
type Google struct {
	Token  *Target // the key file's token_uri points here
	Sheets *Target // sheets.googleapis.com
	// Key is a service account's key file whose token_uri is Token's address.
	Key   string
	Email string
	// PrivateKeyID is the key's id, a secret like the key.
	PrivateKeyID string

	pub    *rsa.PublicKey
	issued atomic.Int64
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// testRSAKey is one RSA key for all the tests of a process: making one takes a while.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		rsaKey = k
	})
	return rsaKey
}

// NewGoogle starts the token endpoint and the Sheets API, stopped when the test ends.
func NewGoogle(t testing.TB) *Google {
	g := &Google{Email: "sheets-writer@hookflow-test.iam.gserviceaccount.com", PrivateKeyID: "5f1e9c0b7a3d2e4f6a8b0c1d2e3f4a5b6c7d8e9f"}
	key := testRSAKey(t)
	g.pub = &key.PublicKey
	g.Token = NewTarget(t, g.TokenReply)
	g.Sheets = NewTarget(t, g.AppendReply)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	file := map[string]string{
		"type":                        "service_account",
		"project_id":                  "hookflow-test",
		"private_key_id":              g.PrivateKeyID,
		"private_key":                 string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":                g.Email,
		"client_id":                   "104857395830218374650",
		"auth_uri":                    "https://accounts.google.com/o/oauth2/auth",
		"token_uri":                   g.Token.URL() + "/token",
		"auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",
	}
	data, _ := json.MarshalIndent(file, "", "  ")
	g.Key = string(data)
	return g
}

// Client reaches the Sheets API at its real name and every other host (the token endpoint) at
// Token.
func (g *Google) Client() *http.Client {
	return RoutedClient(func(host string) *Target {
		if host == "sheets.googleapis.com" {
			return g.Sheets
		}
		return g.Token
	})
}

// AccessToken is the n-th token the endpoint gave (1-based).
func AccessToken(n int64) string { return fmt.Sprintf("ya29.c.test-access-token-%d", n) }

// Issued is how many tokens the endpoint gave.
func (g *Google) Issued() int64 { return g.issued.Load() }

// TokenReply checks the JWT grant as Google does (signature by the key, issuer, scope,
// audience) and gives a token.
func (g *Google) TokenReply(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		Reply(400, `{"error":"unsupported_grant_type","error_description":"Invalid grant_type: `+form.Get("grant_type")+`"}`)(w, r)
		return
	}
	claims, ok := g.verify(form.Get("assertion"))
	if !ok {
		Reply(400, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)(w, r)
		return
	}
	if claims["iss"] != g.Email || claims["aud"] != g.Token.URL()+"/token" || claims["scope"] != "https://www.googleapis.com/auth/spreadsheets" {
		Reply(400, `{"error":"invalid_scope","error_description":"Invalid OAuth scope or ID token audience provided."}`)(w, r)
		return
	}
	n := g.issued.Add(1)
	Reply(200, fmt.Sprintf(`{"access_token":%q,"expires_in":3599,"token_type":"Bearer"}`, AccessToken(n)))(w, r)
}

func (g *Google) verify(jwt string) (map[string]any, bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, false
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(g.pub, crypto.SHA256, sum[:], sig) != nil {
		return nil, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return nil, false
	}
	return claims, true
}

// AppendReply answers spreadsheets.values.append as the Sheets API does: 401 without a token
// the endpoint gave, else the range the row went to.
func (g *Google) AppendReply(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	valid := false
	for n := int64(1); n <= g.issued.Load(); n++ {
		valid = valid || auth == "Bearer "+AccessToken(n)
	}
	if !valid {
		Reply(401, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}`)(w, r)
		return
	}
	var body struct {
		Values [][]any `json:"values"`
	}
	data, _ := io.ReadAll(r.Body)
	if json.Unmarshal(data, &body) != nil || len(body.Values) != 1 {
		Reply(400, `{"error":{"code":400,"message":"Invalid JSON payload received.","status":"INVALID_ARGUMENT"}}`)(w, r)
		return
	}
	// /v4/spreadsheets/{id}/values/{range}:append
	rest := strings.TrimPrefix(r.URL.Path, "/v4/spreadsheets/")
	id, rng, _ := strings.Cut(rest, "/values/")
	rng = strings.TrimSuffix(rng, ":append")
	sheet, _, _ := strings.Cut(rng, "!")
	if sheet == "A1" {
		sheet = "Sheet1"
	}
	if !strings.Contains(sheet, " ") { // Google quotes a name in its answer only when it must
		sheet = strings.Trim(sheet, "'")
	}
	cols := len(body.Values[0])
	last := string(rune('A' + cols - 1))
	Reply(200, fmt.Sprintf(`{"spreadsheetId":%q,"tableRange":"%s!A1:%s7","updates":{"spreadsheetId":%q,"updatedRange":"%s!A8:%s8","updatedRows":1,"updatedColumns":%d,"updatedCells":%d}}`,
		id, sheet, last, id, sheet, last, cols, cols))(w, r)
}
