package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// An error answer carries its code and params, and its sentence is in the language the request
// asks for (Accept-Language, as the editor sends it, or ?lang=): a Russian user reads Russian.
func TestErrors_AnswerInTheRequestsLanguage(t *testing.T) {
	t.Parallel()
	s := startServer(t, "sqlite", nil)
	for _, tc := range []struct {
		name, method, path, body, lang string
		bearer                         bool
		status                         int
		code, want                     string
	}{
		{"bad sign-in in Russian", "POST", "/api/auth/login", `{"email":"owner@example.com","password":"wrong password"}`, "ru-RU,ru;q=0.9", false, 401, "auth.bad_credentials", "Неверная почта или пароль."},
		{"bad sign-in in English", "POST", "/api/auth/login", `{"email":"owner@example.com","password":"wrong password"}`, "en", false, 401, "auth.bad_credentials", "the email or the password is wrong"},
		{"short password in Russian, on its field", "POST", "/api/auth/signup", `{"email":"a@example.com","password":"short"}`, "ru", false, 422, "auth.password_short", "Пароль должен быть не короче 8 символов."},
		{"sign-up closed in Russian", "POST", "/api/auth/signup", `{"email":"a@example.com","password":"long enough password"}`, "ru", false, 409, "auth.signup_closed", "У этого hookflow уже есть владелец"},
		{"a refused import in Russian, problem by problem", "POST", "/api/flows/import", `{"schema":1,"name":"x","nodes":[{"id":"a","kind":"no_such_kind","config":{}}],"edges":[]}`, "ru", true, 422, "flow_invalid", "hookflow"},
		{"not found in Russian", "GET", "/api/flows/no-such-flow", "", "ru", true, 404, "not_found", "Не найдено: возможно, это уже удалили. Обновите страницу."},
		{"?lang=ru without the header", "GET", "/api/flows/no-such-flow?lang=ru", "", "", true, 404, "not_found", "Не найдено: возможно, это уже удалили. Обновите страницу."},
		{"a token without a name in Russian", "POST", "/api/tokens", `{"name":""}`, "ru", true, 422, "auth.token_name_missing", "Назовите токен, например по скрипту, который будет им пользоваться."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, s.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			if tc.lang != "" {
				req.Header.Set("Accept-Language", tc.lang)
			}
			if tc.bearer {
				req.Header.Set("Authorization", "Bearer "+s.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			data, _ := io.ReadAll(resp.Body)
			var got struct {
				Error   string `json:"error"`
				Code    string `json:"code"`
				Details []struct {
					Message string `json:"message"`
				} `json:"details"`
			}
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("%d %s", resp.StatusCode, data)
			}
			if resp.StatusCode != tc.status || got.Code != tc.code {
				t.Fatalf("got %d %q, want %d %q: %s", resp.StatusCode, got.Code, tc.status, tc.code, data)
			}
			if !strings.Contains(got.Error, tc.want) {
				t.Errorf("error %q, want %q", got.Error, tc.want)
			}
			if strings.HasPrefix(tc.lang, "ru") {
				for _, d := range append([]struct {
					Message string `json:"message"`
				}{{got.Error}}, got.Details...) {
					if strings.Contains(d.Message, " the ") || strings.Contains(d.Message, " has ") {
						t.Errorf("English in a Russian answer: %q", d.Message)
					}
				}
			}
		})
	}
}
