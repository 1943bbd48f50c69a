//go:build js

package flows

import "context"

// The Google Sheets step's sign-in in the browser engine, where a Test sends nothing and asks
// for no token: the key is read and checked as on the server (node_google_sheets_token.go), and
// Google's library, which would bring an HTTP client of several MB into the module, stays out.

type sheetsSigner = *struct{}

// sheetsReadKey reads a service account's key file.
func sheetsReadKey(keyText string) (serviceAccount, sheetsSigner, error) {
	acct, err := readServiceAccount(keyText)
	if err != nil {
		return acct, nil, err
	}
	return acct, &struct{}{}, nil
}

// token is never asked for in a preview.
func (s *sheetsStep) token(_ context.Context, sc *StepContext, _ sheetsSigner, _ serviceAccount) (string, error) {
	return "", sc.Fail(CodeSheetsKey, Params{"detail": "the browser's engine does not send rows"})
}
