package flows

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// pipe is a function usable after "|" in a template.
type pipe struct {
	fn   func(v any, args []any, s *Scope) (any, error)
	help Text
}

var pipes = map[string]pipe{
	"default":   {pipeDefault, T("pipe.default")},
	"trim":      {stringPipe(strings.TrimSpace), T("pipe.trim")},
	"lower":     {stringPipe(strings.ToLower), T("pipe.lower")},
	"upper":     {stringPipe(strings.ToUpper), T("pipe.upper")},
	"digits":    {stringPipe(onlyDigits), T("pipe.digits")},
	"number":    {pipeNumber, T("pipe.number")},
	"urlencode": {stringPipe(url.QueryEscape), T("pipe.urlencode")},
	"html":      {stringPipe(escapeHTML), T("pipe.html")},
	"base64":    {stringPipe(func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }), T("pipe.base64")},
	"json":      {pipeJSON, T("pipe.json")},
	"date":      {pipeDate, T("pipe.date")},
}

// htmlEscaper replaces exactly what Telegram's HTML mode asks to replace (<, >, &) and the quote,
// which breaks an attribute such as <a href="…">; Telegram knows all four named entities.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

func pipeNames() []string {
	names := make([]string, 0, len(pipes))
	for n := range pipes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func stringPipe(f func(string) string) func(any, []any, *Scope) (any, error) {
	return func(v any, _ []any, _ *Scope) (any, error) {
		if v == nil {
			return nil, nil
		}
		return f(Stringify(v)), nil
	}
}

func pipeDefault(v any, args []any, _ *Scope) (any, error) {
	if len(args) != 1 {
		return v, fmt.Errorf(`write one value, like default:"RU"`)
	}
	if isEmpty(v) {
		return args[0], nil
	}
	return v, nil
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pipeJSON(v any, _ []any, _ *Scope) (any, error) {
	data, err := marshalPlain(v)
	if err != nil {
		return nil, err
	}
	return string(data), nil
}

func pipeNumber(v any, _ []any, _ *Scope) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		return x, nil
	case float64, int, int64:
		return json.Number(Stringify(x)), nil
	case bool:
		if x {
			return json.Number("1"), nil
		}
		return json.Number("0"), nil
	}
	n, ok := ParseNumber(Stringify(v))
	if !ok {
		return nil, fmt.Errorf("%q has no number in it", Stringify(v))
	}
	return n, nil
}

// ParseNumber reads a number the way people write it: "1 990 руб." → 1990, "1 990,50 руб." →
// 1990.5, "1,990.50" → 1990.5, "$12" → 12, "-5" → -5. Spaces (also non-breaking) group thousands.
// A lone comma is a decimal separator (Russian style); several commas or dots group thousands.
func ParseNumber(s string) (json.Number, bool) {
	// Take the first run of digits with its separators: "1 990,50 руб. (скидка 10%)" → "1 990,50".
	start := strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' })
	if start < 0 {
		return "", false
	}
	negative := strings.HasSuffix(strings.TrimRightFunc(s[:start], unicode.IsSpace), "-")
	var b strings.Builder
	end := start
	for i, r := range s[start:] {
		if (r >= '0' && r <= '9') || r == '.' || r == ',' || r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' {
			end = start + i + len(string(r))
			continue
		}
		break
	}
	for _, r := range strings.TrimRight(s[start:end], " .,'\u00a0\u202f") {
		if r != ' ' && r != '\u00a0' && r != '\u202f' && r != '\'' {
			b.WriteRune(r)
		}
	}
	num := b.String()
	commas, dots := strings.Count(num, ","), strings.Count(num, ".")
	switch {
	case commas > 0 && dots > 0:
		// The separator that comes last is the decimal one.
		if strings.LastIndex(num, ",") > strings.LastIndex(num, ".") {
			num = strings.ReplaceAll(num, ".", "")
			num = strings.Replace(num, ",", ".", 1)
		} else {
			num = strings.ReplaceAll(num, ",", "")
		}
	case commas == 1:
		num = strings.Replace(num, ",", ".", 1)
	case commas > 1:
		num = strings.ReplaceAll(num, ",", "")
	case dots > 1:
		num = strings.ReplaceAll(num, ".", "")
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return "", false
	}
	if negative {
		f = -f
	}
	return json.Number(strconv.FormatFloat(f, 'f', -1, 64)), true
}

// pipeDate reads a date (unix seconds, ISO 8601, "2006-01-02 15:04:05", "02.01.2006", …) and
// writes it in the layout given: "unix", "iso", a pattern of YYYY MM DD HH mm ss, or a Go layout.
func pipeDate(v any, args []any, s *Scope) (any, error) {
	if isEmpty(v) {
		return nil, nil
	}
	layout := "iso"
	if len(args) > 0 {
		layout = Stringify(args[0])
	}
	t, err := parseTime(Stringify(v), s.now)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(layout) {
	case "unix", "timestamp":
		return json.Number(strconv.FormatInt(t.Unix(), 10)), nil
	case "iso", "rfc3339":
		return t.Format(time.RFC3339), nil
	}
	return t.Format(goLayout(layout)), nil
}

var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02",
	"02.01.2006 15:04:05", "02.01.2006 15:04", "02.01.2006", "02/01/2006", time.RFC1123Z, time.RFC1123,
}

func parseTime(s string, now func() time.Time) (time.Time, error) {
	if strings.EqualFold(strings.TrimSpace(s), "now") {
		return now().UTC(), nil
	}
	t, ok := parseTimeIn(s, time.UTC)
	if !ok {
		return time.Time{}, fmt.Errorf("%q is not a date hookflow can read (use 2024-01-31, 31.01.2024 or 2024-01-31 10:00:00)", strings.TrimSpace(s))
	}
	return t, nil
}

// parseTimeIn reads a date in any of dateLayouts or as unix seconds (milliseconds above 1e12);
// a date written without its zone is a time in loc.
func parseTimeIn(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1e12 { // milliseconds
			return time.UnixMilli(n).UTC(), true
		}
		return time.Unix(n, 0).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// goLayout turns a YYYY-MM-DD style pattern into Go's layout; text without such tokens is
// taken as a Go layout already.
func goLayout(p string) string {
	r := strings.NewReplacer("YYYY", "2006", "YY", "06", "MM", "01", "DD", "02", "HH", "15", "mm", "04", "ss", "05")
	return r.Replace(p)
}
