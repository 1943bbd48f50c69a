package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hookflow/hookflow/flows/flowstest"
)

// GetCourse → Telegram through the server: the process's GET arrives, the run sends the manager
// an HTML message with the user's data escaped, and a refusal lands in the journal in Telegram's
// own words with the bot token masked.
func TestServer_GetCourseUserReachesTheManagerInTelegram(t *testing.T) {
	t.Parallel()
	tg := flowstest.NewTarget(t,
		flowstest.Reply(200, `{"ok":true,"result":{"message_id":512,"chat":{"id":123456789,"type":"private"},"date":1709633700,"text":"x"}}`),
		flowstest.Reply(400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`))
	s := startServer(t, "sqlite", tg.Client())
	f := s.instantiate("getcourse-telegram", map[string]string{"bot_token": "7012345678:AAE-server-token", "chat_id": "123456789"})

	hook(t, f.WebhookURL, "GET", "email=anna%40mail.ru&phone=%2B79161234567&first_name=%3Cb%3E%D0%90%D0%BD%D0%BD%D0%B0&last_name=%26+Co&utm_source=yandex", "", "")
	s.waitRuns(f.ID, "success", 1, 10*time.Second)
	got := tg.Requests()
	if len(got) != 1 || got[0].Host != "api.telegram.org" || got[0].Path != "/bot7012345678:AAE-server-token/sendMessage" {
		t.Fatalf("Telegram got %+v", got)
	}
	want := "<b>Новый пользователь в GetCourse</b>\nИмя: &lt;b&gt;Анна &amp; Co\nEmail: anna@mail.ru\nТелефон: +79161234567\nИсточник: yandex"
	if got[0].Form.Get("text") != want || got[0].Form.Get("parse_mode") != "HTML" || got[0].Form.Get("chat_id") != "123456789" {
		t.Fatalf("message = %q (parse_mode %q, chat %q)\nwant %q", got[0].Form.Get("text"), got[0].Form.Get("parse_mode"), got[0].Form.Get("chat_id"), want)
	}

	// Telegram's own words in the journal; the bot token nowhere in it.
	refusedRun(t, s, f, "email=ivan%40mail.ru&first_name=Ivan", "Bad Request: chat not found", "AAE-server-token")
}

// refusedRun sends the webhook query to f, waits for its run to fail, and checks that the journal
// quotes the service's words and that the run's trace does not show the secret.
func refusedRun(t *testing.T, s *testServer, f flowView, query, words, secret string) {
	t.Helper()
	hook(t, f.WebhookURL, "GET", query, "", "")
	failed := s.waitRuns(f.ID, "failed", 1, 10*time.Second)
	if !strings.Contains(failed[0].Error, words) {
		t.Errorf("the journal says %q, want the service's words %q", failed[0].Error, words)
	}
	var detail runView
	s.call("GET", "/api/runs/"+failed[0].ID, nil, &detail)
	if strings.Contains(string(detail.Trace), secret) {
		t.Errorf("the secret %q is visible in the journal", secret)
	}
}

// Bitrix24 refusing the webhook code: the run fails at once (no retries of a 401), and the
// journal quotes error_description.
func TestServer_Bitrix24RefusalIsJournaledInItsOwnWords(t *testing.T) {
	t.Parallel()
	b24 := flowstest.NewTarget(t, flowstest.Reply(401, `{"error":"INVALID_CREDENTIALS","error_description":"Invalid request credentials"}`))
	s := startServer(t, "sqlite", b24.Client())
	f := s.instantiate("tilda-bitrix24", map[string]string{"bitrix_portal": "school.bitrix24.ru", "bitrix_webhook": "1/wrong-code"})
	if status, _ := postForm(t, f.WebhookURL, "Name=Anna&Phone=%2B79161234567&formid=form1&tranid=1%3A2"); status != http.StatusOK {
		t.Fatalf("answered %d", status)
	}
	failed := s.waitRuns(f.ID, "failed", 1, 10*time.Second)
	if !strings.Contains(failed[0].Error, "Invalid request credentials") {
		t.Errorf("the journal says %q, want Bitrix24's error_description", failed[0].Error)
	}
	if n := len(b24.Requests()); n != 1 {
		t.Errorf("Bitrix24 got %d requests; a refused code must not be retried", n)
	}
}
