package flows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// google_sheets appends one row to a sheet of a Google spreadsheet through the Sheets API
// (spreadsheets.values.append), signed in as a service account from its JSON key file.
//
//   - The access token comes from Google's own library (golang.org/x/oauth2/google): the key's
//     private key signs a JWT that the key's token_uri exchanges for a token. The library's
//     requests go through the run's HTTP client (the server's outbound policy), never
//     http.DefaultClient, and within the step's time limit.
//   - The append itself is an http step's request (retries on 5xx and 429, the answer in the
//     trace, Google's error message quoted); in a preview nothing is sent, no token is asked for,
//     and the trace shows the request that would go out with the token masked.
//   - The key, its private key and the token are secrets of the run: masked wherever the trace
//     shows them. Tokens are kept in memory until shortly before they expire, so a busy flow
//     does not sign in for every row.
//   - Cells are written as if typed (valueInputOption=USER_ENTERED: numbers and dates are
//     recognised), except that data starting with = + - @ is kept as text, so that a phone
//     "+7 916 …" is not read as a formula and a lead cannot put a formula into the table. A
//     formula the user writes into a cell's setting (the setting itself starts with =) stays one.

type sheetsConfig struct {
	Key         string      `json:"key"`
	Spreadsheet string      `json:"spreadsheet"`
	Sheet       string      `json:"sheet"`
	Cells       []sheetCell `json:"cells"`
	TimeoutMs   int         `json:"timeout_ms"`
	Retries     *int        `json:"retries"`
}

type sheetCell struct {
	Value string `json:"value"`
}

// Errors of the step, in the user's words.
const (
	CodeSheetsKey         = "google_sheets.key"
	CodeSheetsSpreadsheet = "google_sheets.spreadsheet"
	CodeSheetsNoCells     = "google_sheets.no_cells"
	CodeSheetsToken       = "google_sheets.token"
	CodeSheetsNoAccess    = "google_sheets.no_access"
)

// sheetsAPI is the Sheets API's address; sheetsScope the permission the token asks for.
const (
	sheetsAPI   = "https://sheets.googleapis.com"
	sheetsScope = "https://www.googleapis.com/auth/spreadsheets"
	// sheetsTokenMargin: a kept token is used only while it has this much time left.
	sheetsTokenMargin = 2 * time.Minute
)

func init() {
	Register(KindSpec[sheetsConfig]{
		Name:  "google_sheets",
		Title: T("google_sheets.title"),
		Help:  T("google_sheets.help"),
		Fields: append([]Field{
			{Key: "key", Type: FieldString, Label: T("google_sheets.key.label"), Required: true, Template: true, Secret: true,
				Help: T("google_sheets.key.help")},
			{Key: "spreadsheet", Type: FieldString, Label: T("google_sheets.spreadsheet.label"), Required: true, Template: true,
				Help: T("google_sheets.spreadsheet.help")},
			{Key: "sheet", Type: FieldString, Label: T("google_sheets.sheet.label"), Template: true,
				Help: T("google_sheets.sheet.help")},
			{Key: "cells", Type: FieldList, Label: T("google_sheets.cells.label"),
				Default: []any{map[string]any{"value": ""}},
				Help:    T("google_sheets.cells.help"),
				Fields: []Field{
					{Key: "value", Type: FieldString, Label: T("google_sheets.cells.value.label"), Template: true,
						Help: T("google_sheets.cells.value.help")},
				}},
		}, httpLimitFields(T("google_sheets.timeout_ms.label"), T("google_sheets.timeout_ms.help"), T("google_sheets.retries.label"), T("google_sheets.retries.help"))...),
		Build: buildSheets,
	})
}

type sheetsStep struct {
	key, spreadsheet, sheet *Template
	cells                   []*Template
	formula                 []bool // the cell's own setting is a formula (starts with =)
	http                    *httpStep
}

func buildSheets(b *Builder, cfg *sheetsConfig) Step {
	s := &sheetsStep{
		key:         b.Template("key", cfg.Key),
		spreadsheet: b.Template("spreadsheet", cfg.Spreadsheet),
		sheet:       b.TemplateOrNil("sheet", cfg.Sheet),
	}
	if src := strings.TrimSpace(cfg.Spreadsheet); src != "" && !strings.Contains(src, "{{") {
		if _, ok := SpreadsheetID(src); !ok {
			b.Problem("spreadsheet", CodeSheetsSpreadsheet, Params{"value": src})
		}
	}
	if len(cfg.Cells) == 0 {
		b.Problem("cells", CodeSheetsNoCells, nil)
	}
	for i, c := range cfg.Cells {
		s.cells = append(s.cells, b.Template(fmt.Sprintf("cells[%d].value", i), c.Value))
		s.formula = append(s.formula, strings.HasPrefix(strings.TrimSpace(c.Value), "="))
	}
	h := &httpStep{method: "POST", bodyType: httpBodyJSON, delay: httpDefaultDelay, statusMin: 200, statusMax: 299,
		sample: httpResult{status: 200, headers: http.Header{}}}
	h.setLimits(cfg.TimeoutMs, cfg.Retries)
	h.errorPath, _ = ParsePath("error.message") // Google's errors: {"error": {"code", "message", "status"}}
	s.http = h
	return s
}

// sheetsURLID finds the ID in a table's address: https://docs.google.com/spreadsheets/d/<ID>/edit.
var (
	sheetsURLID = regexp.MustCompile(`/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)`)
	sheetsBare  = regexp.MustCompile(`^[A-Za-z0-9_-]{10,}$`)
)

// SpreadsheetID reads a Google spreadsheet's ID from its address in the browser or from the ID
// itself.
func SpreadsheetID(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if m := sheetsURLID.FindStringSubmatch(s); m != nil {
		return m[1], true
	}
	if sheetsBare.MatchString(s) {
		return s, true
	}
	return "", false
}

var (
	sheetsPlainName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	sheetsCellRef   = regexp.MustCompile(`^(?i:[a-z]{1,3}[0-9]+|r[0-9]+c[0-9]+)$`)
)

// sheetsRange is the A1 range naming a sheet: its name, in quotes unless it is plain letters
// and digits that cannot be read as a cell; the first sheet when there is no name.
func sheetsRange(sheet string) string {
	sheet = strings.TrimSpace(sheet)
	switch {
	case sheet == "":
		return "A1"
	case sheetsPlainName.MatchString(sheet) && !sheetsCellRef.MatchString(sheet):
		return sheet
	}
	return "'" + strings.ReplaceAll(sheet, "'", "''") + "'"
}

// sheetsCellText is what goes into a cell: data starting like a formula is kept as text (a
// leading ' is Sheets' own mark for that), unless it is a plain number or the user's formula.
func sheetsCellText(v string, formula bool) string {
	if formula || v == "" || !strings.ContainsRune("=+-@", rune(v[0])) {
		return v
	}
	if v[0] == '-' {
		if _, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64); err == nil {
			return v
		}
	}
	return "'" + v
}

// serviceAccount is what the step reads of a key file besides what the library does.
type serviceAccount struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

// readServiceAccount reads a key file as far as the server and the browser engine both check it
// (each has its own sheetsReadKey). What it read is returned with an error too, so that a key
// in a file that is not a service account's is still masked.
func readServiceAccount(keyText string) (serviceAccount, error) {
	var acct serviceAccount
	if err := json.Unmarshal([]byte(keyText), &acct); err != nil {
		return acct, fmt.Errorf("it is not JSON (%v)", err)
	}
	if acct.Type != "service_account" {
		return acct, fmt.Errorf("it is a key of type %q, not of a service account", acct.Type)
	}
	return acct, nil
}

func (s *sheetsStep) Run(ctx context.Context, sc *StepContext) (any, error) {
	keyText := strings.TrimSpace(sc.Render(s.key))
	sc.Secret(keyText)
	var acct serviceAccount
	var signer sheetsSigner
	switch {
	case sc.Preview() && (keyText == "" || keyText == maskText):
		sc.Log("log.google_sheets.preview_key", nil)
	case keyText == "":
		return nil, sc.Fail(CodeSheetsKey, Params{"detail": "the key is empty", "detail_ru": "ключ пуст"})
	default:
		var err error
		if acct, signer, err = sheetsReadKey(keyText); err != nil {
			sc.Secret(acct.PrivateKey)
			if sc.Preview() { // the request can still be shown; sending it would fail
				sc.Log("log.google_sheets.preview_bad_key", Params{"detail": err.Error()})
				break
			}
			return nil, sc.Fail(CodeSheetsKey, Params{"detail": err.Error()})
		}
		sc.Secret(acct.PrivateKey)
		sc.Secret(acct.PrivateKeyID)
		sc.Logf("signing in as the service account %s", acct.ClientEmail)
	}

	raw := strings.TrimSpace(sc.Render(s.spreadsheet))
	id, ok := SpreadsheetID(raw)
	if !ok {
		return nil, sc.Fail(CodeSheetsSpreadsheet, Params{"value": raw})
	}
	row := make([]string, len(s.cells))
	for i, c := range s.cells {
		row[i] = sheetsCellText(sc.Render(c), s.formula[i])
	}
	body, err := httpMarshal(map[string]any{"majorDimension": "ROWS", "values": [][]string{row}})
	if err != nil {
		return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": err.Error()})
	}
	u := sheetsAPI + "/v4/spreadsheets/" + url.PathEscape(id) + "/values/" + url.PathEscape(sheetsRange(sc.Render(s.sheet))) + ":append?valueInputOption=USER_ENTERED"
	p := &httpPrepared{method: "POST", url: u, host: "sheets.googleapis.com", body: body}

	token := "(the service account's token, asked for when sent)"
	if !sc.Preview() {
		if token, err = s.token(ctx, sc, signer, acct); err != nil {
			return nil, err
		}
		sc.Secret(token)
	}
	p.headers = []KeyVal{
		{Key: "Authorization", Value: "Bearer " + token, Secret: true},
		{Key: "Content-Type", Value: "application/json"},
		{Key: "User-Agent", Value: httpUserAgent},
	}
	out, err := s.http.deliver(ctx, sc, p)
	var pr *Problem
	if errors.As(err, &pr) && pr.Code == CodeHTTPStatus && (pr.Params["status"] == "403" || pr.Params["status"] == "404") {
		email := acct.ClientEmail
		if email == "" {
			email = "the service account"
		}
		return nil, sc.Fail(CodeSheetsNoAccess, Params{"status": pr.Params["status"], "reply": pr.Params["reply"], "email": email})
	}
	return out, err
}
