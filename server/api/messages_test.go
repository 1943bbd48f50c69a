package api

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

func placeholders(s string) []string {
	ps := placeholder.FindAllString(s, -1)
	sort.Strings(ps)
	return ps
}

// Every code has a sentence in every language, and no language asks for a param the code is
// never given; the Russian sentences hold no English words but brands and typed tokens.
func TestMessages_EveryCodeHasEnglishAndRussian(t *testing.T) {
	t.Parallel()
	for code, en := range messagesEN {
		t.Run(code, func(t *testing.T) {
			ru, ok := messagesRU[code]
			if !ok || strings.TrimSpace(ru) == "" {
				t.Fatalf("no Russian sentence for %q (English: %q)", code, en)
			}
			enPs := strings.Join(placeholders(en), " ")
			for _, p := range placeholders(ru) {
				if !strings.Contains(enPs, p) {
					t.Errorf("Russian asks for %s, which the English sentence %q is never given", p, en)
				}
			}
			if !strings.ContainsFunc(ru, func(r rune) bool { return unicode.Is(unicode.Cyrillic, r) }) {
				t.Errorf("the Russian sentence %q has no Russian word", ru)
			}
		})
	}
	for code := range messagesRU {
		if _, ok := messagesEN[code]; !ok {
			t.Errorf("%q is in Russian only", code)
		}
	}
}

func TestMessage_FillsParamsAndFallsBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, code, lang string
		params           map[string]string
		want             string
	}{
		{"Russian with a param", "auth.rate_limited", "ru", map[string]string{"seconds": "7"}, "Слишком много неудачных попыток входа; подождите 7 с и попробуйте снова."},
		{"English with a param", "live.too_many", "en", map[string]string{"max": "5"}, "you have 5 live logs open already; close some editor tabs and try again"},
		{"an unknown language is English", "not_found", "de", nil, "not found"},
		{"an unknown code is itself", "no.such.code", "ru", nil, "no.such.code"},
		{"an unused param is ignored", "bad_json", "ru", map[string]string{"detail": "unexpected EOF"}, "Тело запроса — не корректный JSON."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := message(tc.code, tc.lang, tc.params); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Every error code the handlers answer with has its sentences: a code missing from the catalog
// would reach the user as the bare code.
func TestMessages_EveryCodeTheHandlersUseIsInTheCatalog(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	use := regexp.MustCompile(`apiError\([^,]+,\s*"([^"]+)"`)
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllSubmatch(src, -1) {
			seen++
			if _, ok := messagesEN[string(m[1])]; !ok {
				t.Errorf("%s: apiError with %q, which is not a code of the catalog", f, m[1])
			}
		}
	}
	if seen < 20 {
		t.Fatalf("found only %d uses of apiError: the pattern no longer matches the code", seen)
	}
}
