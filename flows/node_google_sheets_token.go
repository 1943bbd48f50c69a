//go:build !js

package flows

// The Google Sheets step's sign-in, on the server: Google's library reads the key and signs the
// token requests (node_google_sheets.go). The browser engine has its own (…_js.go): a preview
// asks for no token, and the library would bring an HTTP client into the module.

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"golang.org/x/oauth2/jwt"
)

// sheetsSigner signs the token requests of a key.
type sheetsSigner = *jwt.Config

// sheetsReadKey reads a service account's key file with Google's library.
func sheetsReadKey(keyText string) (serviceAccount, sheetsSigner, error) {
	acct, err := readServiceAccount(keyText)
	if err != nil {
		return acct, nil, err
	}
	cfg, err := google.JWTConfigFromJSON([]byte(keyText), sheetsScope)
	if err != nil {
		return acct, nil, errors.New(strings.TrimPrefix(err.Error(), "google: "))
	}
	return acct, cfg, nil
}

// sheetsTokens keeps access tokens by key until shortly before they expire.
var sheetsTokens sync.Map // sha256 of the key file → *oauth2.Token

// token gets an access token for the key: a kept one, or a new one from the key's token_uri
// through the run's HTTP client.
func (s *sheetsStep) token(ctx context.Context, sc *StepContext, cfg *jwt.Config, acct serviceAccount) (string, error) {
	sum := sha256.Sum256([]byte(cfg.Email + "\x00" + string(cfg.PrivateKey) + "\x00" + cfg.TokenURL))
	if v, ok := sheetsTokens.Load(sum); ok {
		if t := v.(*oauth2.Token); t.Expiry.IsZero() || sc.Env.Now().Add(sheetsTokenMargin).Before(t.Expiry) {
			sc.Logf("using the access token Google gave earlier")
			return t.AccessToken, nil
		}
	}
	tokenHost := cfg.TokenURL
	if u, err := url.Parse(cfg.TokenURL); err == nil && u.Host != "" {
		tokenHost = u.Host
	}
	actx, cancel := context.WithTimeout(ctx, s.http.timeout)
	defer cancel()
	tr := &doerTransport{ctx: actx, doer: sc.Env.HTTPClient()}
	client := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	tok, err := cfg.TokenSource(context.WithValue(actx, oauth2.HTTPClient, client)).Token()
	if err != nil && tr.err != nil {
		err = tr.err // the library keeps only the text of a failed request's error
	}
	var re *oauth2.RetrieveError
	var denied *DeniedError
	switch {
	case err == nil:
		sc.Logf("got an access token from %s", tokenHost)
		sheetsTokens.Store(sum, tok)
		return tok.AccessToken, nil
	case ctx.Err() != nil:
		return "", sc.Fail(CodeRunCanceled, nil)
	case errors.As(err, &denied):
		sc.Logf("the key's token address was not called: %s", denied.Error())
		return "", sc.Fail(CodeHTTPDenied, Params{"host": tokenHost, "address": denied.Address, "reason": denied.Reason, "reason_ru": denied.ReasonRu})
	case errors.As(err, &re):
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		reply := tokenErrorText(re)
		sc.Logf("%s refused the token: HTTP %d %s", tokenHost, status, reply)
		if status == http.StatusTooManyRequests || status >= 500 {
			// Google is busy or down: the run is tried again later.
			return "", sc.Fail(CodeHTTPStatus, Params{"host": tokenHost, "status": strconv.Itoa(status), "reply": " — «" + reply + "»"})
		}
		return "", sc.Fail(CodeSheetsToken, Params{"email": acct.ClientEmail, "reply": reply})
	case errors.Is(actx.Err(), context.DeadlineExceeded) || httpIsTimeout(err):
		secs := strconv.FormatFloat(s.http.timeout.Seconds(), 'f', -1, 64)
		return "", sc.Fail(CodeHTTPTimeout, Params{"host": tokenHost, "seconds": secs})
	}
	if tr.err != nil {
		return "", sc.Fail(CodeHTTPNetwork, Params{"host": tokenHost, "detail": httpNetDetail(err)})
	}
	// Not a network failure: the library could not sign with the key.
	return "", sc.Fail(CodeSheetsKey, Params{"detail": strings.TrimPrefix(err.Error(), "oauth2: ")})
}

// tokenErrorText is the token endpoint's own words: "invalid_grant: Invalid JWT Signature."
// (RFC 6749's error and error_description), or an excerpt of what it answered.
func tokenErrorText(re *oauth2.RetrieveError) string {
	code, desc := re.ErrorCode, re.ErrorDescription
	if code == "" {
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(re.Body, &body) == nil {
			code, desc = body.Error, body.Description
		}
	}
	switch {
	case code != "" && desc != "":
		return code + ": " + desc
	case code != "":
		return code
	}
	return httpExcerpt(string(re.Body))
}

// doerTransport sends the library's requests through the run's HTTP client, within ctx (the
// library's own requests carry no deadline), and keeps the last request's error, which the
// library passes on only as text.
type doerTransport struct {
	ctx  context.Context
	doer Doer
	err  error
}

func (t *doerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.doer.Do(r.WithContext(t.ctx))
	t.err = err
	return resp, err
}
