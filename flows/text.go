package flows

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// hookflow's words live in one catalog per language (text_en.go, text_ru.go), keyed by stable
// names: a kind's words by where they are shown ("http.title", "http.url.label",
// "http.url.help", "http.method.option.GET", "filter.output.true"), a problem's sentence by its
// code ("http.url_invalid"), other words by what they name ("pipe.trim", "log.email.preview").
// The code refers to the keys (T("http.url.label")); text_test.go checks that every key has its
// words in every language and that every key is used.
//
// A language is a catalog file plus its line in languages. English is first: the fallback for a
// key a language lacks, and the language of the logs and the stored sentences.
// plural is the language's plural category of a count ("one", "few", "many", "other", as the
// Unicode CLDR names them): a counted key's form for it is key#category, and the key itself
// serves the categories a language does not list (the editor's catalogs do the same).
var languages = []struct {
	code    string
	catalog map[string]string
	plural  func(n int64) string
}{
	{"en", textEN, pluralEN},
	{"ru", textRU, pluralRU},
}

// catalogOf is lang's catalog, nil for a language hookflow does not speak.
func catalogOf(lang string) map[string]string {
	for _, l := range languages {
		if l.code == lang {
			return l.catalog
		}
	}
	return nil
}

// word is key's words in lang, else in English, else the key itself (a key missing from the
// catalogs shows up as itself rather than as nothing).
func word(key, lang string) string {
	if s, ok := catalogOf(lang)[key]; ok {
		return s
	}
	if s, ok := textEN[key]; ok {
		return s
	}
	return key
}

// Text is words shown to users, in every language hookflow speaks. Most are a key of the
// catalogs (T); words that come from elsewhere — a name the user gave, a template's title —
// carry their own per language. On the wire a Text is an object by language:
// {"en": "HTTP request", "ru": "HTTP-запрос"}.
type Text struct {
	key   string
	words map[string]string // by language; English is the fallback
}

// T is the catalogs' words for key.
func T(key string) Text { return Text{key: key} }

// Same is words that are the same in every language (a name the user gave).
func Same(s string) Text { return Text{words: map[string]string{"en": s}} }

// Words is a text given per language: {"en": …, "ru": …}; a missing language falls back to
// English.
func Words(byLang map[string]string) Text { return Text{words: byLang} }

// In returns the text in lang, falling back to English.
func (t Text) In(lang string) string {
	if t.key != "" {
		return word(t.key, lang)
	}
	if s, ok := t.words[lang]; ok && s != "" {
		return s
	}
	return t.words["en"]
}

// IsZero reports a text with no words ("no help").
func (t Text) IsZero() bool { return t.key == "" && t.words["en"] == "" }

// Key is the catalog key of t ("" for words that came from elsewhere).
func (t Text) Key() string { return t.key }

// byLang is t in every language hookflow speaks.
func (t Text) byLang() map[string]string {
	out := make(map[string]string, len(languages))
	for _, l := range languages {
		out[l.code] = t.In(l.code)
	}
	return out
}

func (t Text) MarshalJSON() ([]byte, error) { return json.Marshal(t.byLang()) }

func (t *Text) UnmarshalJSON(data []byte) error {
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*t = Text{words: m}
	return nil
}

// Format is the catalogs' words for key in every language with each {name} replaced by args'
// words in that language: Format("rule.fail", TextArgs{"subject": …, "value": Same("7")}).
func Format(key string, args TextArgs) Text {
	m := make(map[string]string, len(languages))
	for _, l := range languages {
		m[l.code] = fill(word(key, l.code), func(name string) (string, bool) {
			a, ok := args[name]
			if !ok {
				return "", false
			}
			return a.In(l.code), true
		})
	}
	return Text{words: m}
}

// Count is a counted key's words for n in every language, in the form the language uses for n:
// Count("duration.days", 5) is "5 days", "5 дней", {n} standing for the number. The form is
// key#category in the language's catalog, else the key itself; a language without the key
// takes the English form.
func Count(key string, n int64) Text {
	m := make(map[string]string, len(languages))
	num := strconv.FormatInt(n, 10)
	for _, l := range languages {
		s, ok := l.catalog[key+"#"+l.plural(n)]
		if !ok {
			s, ok = l.catalog[key]
		}
		if !ok {
			if s, ok = textEN[key+"#"+pluralEN(n)]; !ok {
				s = word(key, "en")
			}
		}
		m[l.code] = strings.ReplaceAll(s, "{n}", num)
	}
	return Text{words: m}
}

// TextArgs are the parts Format puts into a sentence.
type TextArgs map[string]Text

// Join is texts joined by the words of sepKey in each language ("rule.and": " and ", " и ").
func Join(texts []Text, sepKey string) Text {
	m := make(map[string]string, len(languages))
	for _, l := range languages {
		parts := make([]string, len(texts))
		for i, t := range texts {
			parts[i] = t.In(l.code)
		}
		m[l.code] = strings.Join(parts, word(sepKey, l.code))
	}
	return Text{words: m}
}

// put sets name in params to t in English and name_<lang> to t in every other language: a
// sentence in that language reads {name} as name_<lang> (Message).
func (ps Params) put(name string, t Text) {
	for _, l := range languages {
		if l.code == "en" {
			ps[name] = t.In("en")
		} else {
			ps[name+"_"+l.code] = t.In(l.code)
		}
	}
}

// fill replaces each {name} of s that value knows, longest names first so that {label}
// does not eat into {label_ru}.
func fill(s string, value func(name string) (string, bool)) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+1:], '}')
		if j < 0 {
			break
		}
		name := s[i+1 : i+1+j]
		if v, ok := value(name); ok && isPlaceholderName(name) {
			b.WriteString(s[:i])
			b.WriteString(v)
			s = s[i+2+j:]
			continue
		}
		b.WriteString(s[:i+1])
		s = s[i+1:]
	}
	b.WriteString(s)
	return b.String()
}

func isPlaceholderName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// Languages are the codes of the languages hookflow speaks, English first.
func Languages() []string {
	out := make([]string, len(languages))
	for i, l := range languages {
		out[i] = l.code
	}
	return out
}

// Language is the language hookflow speaks for a language tag ("ru", "ru-RU", "RU"), English
// for one it does not speak.
func Language(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if catalogOf(base) != nil {
		return base
	}
	return "en"
}

// catalogKeys lists the keys of a catalog, sorted (for tests).
func catalogKeys(c map[string]string) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
