package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// The API's error sentences live in one catalog per language (messages_en.go, messages_ru.go),
// keyed by a stable code. An error answer carries the code and its params, so a client can
// show its own words, and its "error" sentence is rendered in the language of the request:
// ?lang=ru or an Accept-Language that starts with ru (the editor sends the user's choice).

// catalogs maps a language to its sentences; English is the fallback for a missing one.
var catalogs = map[string]map[string]string{"en": messagesEN, "ru": messagesRU}

// message renders code in lang, filling {name} placeholders from params.
func message(code, lang string, params map[string]string) string {
	s, ok := catalogs[lang][code]
	if !ok {
		if s, ok = messagesEN[code]; !ok {
			return code
		}
	}
	if len(params) == 0 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, 2*len(params))
	for k, v := range params {
		pairs = append(pairs, "{"+k+"}", v)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// langOf is the language a request asks for its answers in.
func langOf(r *http.Request) string {
	if q := r.URL.Query().Get("lang"); q != "" {
		return requestLang(q)
	}
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	if strings.HasPrefix(al, "ru") {
		return "ru"
	}
	return "en"
}

// roleWords name a role in a sentence, per language.
var roleWords = map[string]map[string]string{
	"en": {"viewer": "viewer", "editor": "editor", "owner": "owner"},
	"ru": {"viewer": "наблюдатель", "editor": "редактор", "owner": "владелец"},
}

// localized is e with its sentence (and its problems' sentences) in the request's language.
func localized(e *Error, c echo.Context) *Error {
	lang := langOf(c.Request())
	if lang == "en" {
		return e
	}
	out := *e
	if e.Code != "" {
		params := e.Params
		if e.roles != nil {
			params = map[string]string{}
			for k, v := range e.Params {
				params[k] = v
			}
			for _, k := range e.roles {
				if w, ok := roleWords[lang][params[k]]; ok {
					params[k] = w
				}
			}
		}
		out.Message = message(e.Code, lang, params)
	}
	if e.problems != nil {
		ps := append(e.problems[:0:0], e.problems...)
		for i := range ps {
			ps[i].Message = problemIn(ps[i], lang)
		}
		out.Details = ps
		out.Message = summaryIn(ps, lang)
	}
	if e.field != "" {
		out.Details = []map[string]string{{"field": e.field, "message": out.Message}}
	}
	return &out
}
