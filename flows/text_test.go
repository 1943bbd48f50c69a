package flows

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

var catalogPlaceholder = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// Every key has its words in every language, and a language asks for no placeholder the
// English sentence is not given (in a language xx, {name} reads name_xx, so {label_ru} in
// Russian is {label}); a counted key has the form of every plural category its language uses
// for whole numbers (key#one, key#few, key#many; the key itself for "other").
func TestCatalogs_EveryKeyHasItsWordsInEveryLanguage(t *testing.T) {
	if len(textEN) < 400 {
		t.Fatalf("the English catalog has %d keys: fewer than the kinds alone use", len(textEN))
	}
	counted := map[string]bool{}
	for _, l := range languages {
		for key := range l.catalog {
			if base, _, ok := strings.Cut(key, "#"); ok {
				counted[base] = true
			}
		}
	}
	for _, l := range languages {
		t.Run(l.code, func(t *testing.T) {
			for _, key := range catalogKeys(l.catalog) {
				base, _, _ := strings.Cut(key, "#")
				en, ok := textEN[base]
				if !ok {
					t.Errorf("%q is in %q but not in English", key, l.code)
					continue
				}
				if s := l.catalog[key]; strings.TrimSpace(s) == "" && strings.TrimSpace(en) != "" {
					t.Errorf("%q in %q is empty", key, l.code)
				}
				enPs := map[string]bool{}
				for _, p := range catalogPlaceholder.FindAllString(en, -1) {
					enPs[p] = true
				}
				for _, p := range catalogPlaceholder.FindAllString(l.catalog[key], -1) {
					if !enPs[p] && !enPs[strings.TrimSuffix(p, "_"+l.code+"}")+"}"] {
						t.Errorf("%q in %q asks for %s, which the English %q is never given", key, l.code, p, en)
					}
				}
			}
			for _, key := range catalogKeys(textEN) {
				if counted[key] {
					for n := int64(0); n < 200; n++ {
						form := key + "#" + l.plural(n)
						if l.plural(n) == "other" {
							form = key
						}
						if _, ok := l.catalog[form]; !ok {
							t.Errorf("%q has no form %q for %d", l.code, form, n)
							break
						}
					}
				} else if _, ok := l.catalog[key]; !ok || (strings.TrimSpace(l.catalog[key]) == "" && strings.TrimSpace(textEN[key]) != "") {
					t.Errorf("%q has no words in %q (English: %q)", key, l.code, textEN[key])
				}
			}
		})
	}
}

// The code and the catalogs name the same keys: every key the code asks for (T, Format, Count,
// Join and the problem codes) is in the catalogs, and every key of the catalogs is asked for —
// by its whole name, or by a prefix the code completes ("rule.op.option." + op).
func TestCatalogs_EveryKeyIsUsedAndEveryUseIsInTheCatalogs(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	literals := map[string]bool{}
	asked := map[string]string{} // key → where
	codes := map[string]string{} // a Code constant's value → its name
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || strings.HasPrefix(f, "text_") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if s, err := strconv.Unquote(x.Value); err == nil && x.Kind == token.STRING {
					literals[s] = true
				}
			case *ast.CallExpr:
				id, ok := x.Fun.(*ast.Ident)
				if !ok || len(x.Args) == 0 || !(id.Name == "T" || id.Name == "Format" || id.Name == "Count" || id.Name == "word") {
					return true
				}
				if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					asked[s] = fset.Position(lit.Pos()).String()
				}
			case *ast.ValueSpec:
				for i, name := range x.Names {
					if strings.HasPrefix(name.Name, "Code") && i < len(x.Values) {
						if lit, ok := x.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							s, _ := strconv.Unquote(lit.Value)
							codes[s] = name.Name
						}
					}
				}
			}
			return true
		})
	}
	if len(asked) < 300 || len(codes) < 80 {
		t.Fatalf("found %d keys asked for and %d problem codes: the scan no longer reads the code", len(asked), len(codes))
	}
	for key, where := range asked {
		if _, ok := textEN[key]; !ok {
			t.Errorf("%s asks for %q, which the catalogs do not have", where, key)
		}
	}
	for code, name := range codes {
		if _, ok := textEN[code]; !ok {
			t.Errorf("problem code %s (%q) has no sentence in the catalogs", name, code)
		}
	}
	var prefixes []string
	for s := range literals {
		if strings.HasSuffix(s, ".") && strings.Count(s, ".") >= 2 {
			prefixes = append(prefixes, s)
		}
	}
	sort.Strings(prefixes)
	for _, key := range catalogKeys(textEN) {
		key, _, _ = strings.Cut(key, "#") // a counted key's forms are asked for by the key
		if literals[key] {
			continue
		}
		used := false
		for _, p := range prefixes {
			if strings.HasPrefix(key, p) && !strings.Contains(key[len(p):], ".") {
				used = true
				break
			}
		}
		if !used {
			t.Errorf("%q is in the catalogs but nothing asks for it: remove it", key)
		}
	}
}

// Adding a language is its catalog file and its line in languages: a throwaway language made
// here, with a catalog that lacks a key, shows in every kind's words on the wire (as /api/kinds
// and the browser's engine send them), says problems in its own words, counts by its own plural
// rule, and falls back to English (words and plural rule) for a key it lacks.
func TestLanguages_ANewLanguageIsACatalogAndOneLine(t *testing.T) {
	xx := map[string]string{}
	for k, v := range textEN {
		xx[k] = "[xx] " + v
	}
	delete(xx, "http.url.help")
	delete(xx, "duration.hours")
	delete(xx, "duration.hours#one")
	xx["duration.days#one"], xx["duration.days#two"], xx["duration.days"] = "{n} xx-one", "{n} xx-two", "{n} xx-other"
	xx[CodeURLInvalid] = "[xx] '{url}' is no address"
	saved := languages
	t.Cleanup(func() { languages = saved })
	languages = append(languages[:len(languages):len(languages)], struct {
		code    string
		catalog map[string]string
		plural  func(n int64) string
	}{"xx", xx, pluralXX}) // the one line of a new language

	data, err := json.Marshal(Kinds())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []struct {
		Name   string            `json:"kind"`
		Title  map[string]string `json:"title"`
		Fields []struct {
			Key   string            `json:"key"`
			Label map[string]string `json:"label"`
			Help  map[string]string `json:"help"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(data, &kinds); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if strings.HasPrefix(k.Name, "test_") {
			continue // a kind a test registers, with its words of its own
		}
		if k.Title["xx"] != "[xx] "+k.Title["en"] || k.Title["ru"] == "" {
			t.Errorf("%s: title %v", k.Name, k.Title)
		}
		if k.Name != "http" {
			continue
		}
		for _, f := range k.Fields {
			if f.Key == "url" && (f.Label["xx"] != "[xx] "+f.Label["en"] || f.Help["xx"] != f.Help["en"]) {
				t.Errorf("http url: label %v, help %v: want the label in xx and the help in English", f.Label, f.Help)
			}
		}
	}
	_, problems := Compile(mustParse(t, `{"schema":1,"nodes":[{"id":"hook","kind":"webhook","config":{}},{"id":"send","kind":"http","config":{"method":"GET","url":"ftp://x"}}],"edges":[{"from":"hook","to":"send"}]}`))
	if len(problems) != 1 || problems[0].Text("xx") != "[xx] [xx] HTTP request 'send': [xx] 'ftp://x' is no address" {
		t.Errorf("problems %v, in xx %q", problems, problems[0].Text("xx"))
	}
	if got := durationText(2 * 24 * time.Hour).In("xx"); got != "2 xx-two" {
		t.Errorf("2 days in xx: %q", got)
	}
	if got := durationText(3 * 24 * time.Hour).In("xx"); got != "3 xx-other" {
		t.Errorf("3 days in xx: %q", got)
	}
	if got := durationText(16 * time.Hour).In("xx"); got != "16 hours" {
		t.Errorf("16 hours in xx, which lacks the key: %q, want the English forms", got)
	}
}

// pluralXX is the throwaway language's plural rule: one, two, and other.
func pluralXX(n int64) string {
	switch n {
	case 1:
		return "one"
	case 2:
		return "two"
	}
	return "other"
}

func TestCount_SaysTheNumberInTheLanguagesForm(t *testing.T) {
	for _, c := range []struct {
		n      int64
		en, ru string
	}{
		{1, "1 day", "1 день"}, {2, "2 days", "2 дня"}, {5, "5 days", "5 дней"}, {11, "11 days", "11 дней"},
		{21, "21 days", "21 день"}, {22, "22 days", "22 дня"}, {112, "112 days", "112 дней"}, {0, "0 days", "0 дней"},
	} {
		got := Count("duration.days", c.n)
		if got.In("en") != c.en || got.In("ru") != c.ru {
			t.Errorf("%d: %q / %q, want %q / %q", c.n, got.In("en"), got.In("ru"), c.en, c.ru)
		}
	}
}

// In a language other than English a sentence's {name} reads the param name_<lang> when the
// code gives one, the English value otherwise; a {count} picks the sentence's form for it; a
// sentence about a step starts with its kind.
func TestMessage_ReadsEachParamInTheSentencesLanguage(t *testing.T) {
	params := Params{"node": "send", "kind": "HTTP request", "kind_ru": "HTTP-запрос", "label": "URL", "label_ru": "Адрес"}
	if got, want := Message(CodeFieldRequired, "en", params), "HTTP request 'send': URL is empty"; got != want {
		t.Errorf("en %q, want %q", got, want)
	}
	if got, want := Message(CodeFieldRequired, "ru", params), "HTTP-запрос «send»: не заполнено поле «Адрес»"; got != want {
		t.Errorf("ru %q, want %q", got, want)
	}
	delete(params, "label_ru")
	if got, want := Message(CodeFieldRequired, "ru", params), "HTTP-запрос «send»: не заполнено поле «URL»"; got != want {
		t.Errorf("ru without label_ru %q, want %q", got, want)
	}
	for count, want := range map[string]string{"2": "в процессе 2 источника данных", "5": "в процессе 5 источников данных", "21": "в процессе 21 источник данных"} {
		if got := Message(CodeManyTriggers, "ru", Params{"count": count, "nodes": "a, b"}); !strings.HasPrefix(got, want) {
			t.Errorf("%s triggers: %q, want %q…", count, got, want)
		}
	}
	if got := Message(CodeManyTriggers, "en", Params{"count": "5", "nodes": "a, b"}); !strings.HasPrefix(got, "the flow has 5 triggers") {
		t.Errorf("5 triggers: %q", got)
	}
	if got := Message("no.such.code", "ru", nil); got != "no.such.code" {
		t.Errorf("an unknown code reads %q", got)
	}
	if got, want := Message(CodeTemplateSyntax, "en", Params{"label": "Body", "detail": "x"}), "Body has a broken {{…}} reference: x"; got != want {
		t.Errorf("braces that are no placeholder: %q, want %q", got, want)
	}
}

// A Text is an object by language on the wire, both ways: the editor and the templates' files
// read and write {"en": …, "ru": …}.
func TestText_IsAnObjectByLanguageOnTheWire(t *testing.T) {
	data, err := json.Marshal(struct {
		A, B, C Text
	}{T("http.title"), Same("Anna's flow"), Text{}})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"A":{"en":"HTTP request","ru":"HTTP-запрос"},"B":{"en":"Anna's flow","ru":"Anna's flow"},"C":{"en":"","ru":""}}`
	if string(data) != want {
		t.Errorf("got  %s\nwant %s", data, want)
	}
	var back Text
	if err := json.Unmarshal([]byte(`{"en":"Leads","ru":"Заявки"}`), &back); err != nil || back.In("ru") != "Заявки" || back.In("de") != "Leads" {
		t.Errorf("read back %+v (%v)", back, err)
	}
}

func TestLanguage_IsTheSpokenLanguageOfATag(t *testing.T) {
	for tag, want := range map[string]string{"ru": "ru", "ru-RU": "ru", "RU": "ru", "ru_RU": "ru", "en-GB": "en", "de": "en", "": "en", "rus": "en"} {
		if got := Language(tag); got != want {
			t.Errorf("%q: %q, want %q", tag, got, want)
		}
	}
}

// A select's options are named in the user's words in every language (the stored value stays
// the option), but for the options that are their own names.
func TestKinds_SelectOptionsHaveLabelsInEveryLanguage(t *testing.T) {
	ownNames := map[string]bool{
		"http.method":   true, // GET, POST, …
		"schedule.time": true, // 09:00, 09:15, …
	}
	var walk func(path string, fields []Field)
	walk = func(path string, fields []Field) {
		for _, f := range fields {
			p := path + "." + f.Key
			if len(f.Options) > 0 && !ownNames[p] {
				for _, o := range f.Options {
					label, ok := f.OptionLabels[o]
					if !ok {
						t.Errorf("%s: option %q has no label", p, o)
						continue
					}
					bothLanguages(t, p+" option "+o, label, false)
				}
			}
			walk(p, f.Fields)
		}
	}
	for _, k := range Kinds() {
		if !strings.HasPrefix(k.Name, "test_") {
			walk(k.Name, k.Fields)
		}
	}
}
