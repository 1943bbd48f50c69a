package core

import (
	"fmt"
	"mime"
	"net/mail"
	"strings"

	"github.com/hookflow/hookflow/flows"
)

// CodeBadSetting marks a flow setting the server cannot use (the field names which one).
const CodeBadSetting = "settings.invalid"

// maxReplyWait is the longest a webhook answer may wait for its run (the ingress caps it too).
const maxReplyWait = 30000

// problems lists every setting a person must fix, in words; none when all can be used.
func (s *FlowSettings) problems() flows.Problems {
	var ps flows.Problems
	bad := func(field, format string, args ...any) {
		ps = append(ps, flows.Problem{Code: CodeBadSetting, Field: "settings." + field, Message: fmt.Sprintf(format, args...)})
	}
	for _, r := range s.Recipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			bad("recipients", "%q is not an email address", r)
		}
	}
	if s.Lang != "" && s.Lang != "en" && s.Lang != "ru" {
		bad("lang", "the email language must be en or ru, not %q", s.Lang)
	}
	if s.RetentionDays < 0 || s.RetentionCount < 0 {
		bad("retention", "how long and how many runs the journal keeps cannot be negative")
	}
	if rl := s.RateLimit; rl != nil && (rl.PerSecond < 0 || rl.Burst < 0) {
		bad("rate_limit", "the webhook's rate limit cannot be negative")
	}
	if rp := s.Reply; rp != nil {
		if rp.Status != 0 && (rp.Status < 200 || rp.Status > 599) {
			bad("reply.status", "the answer status must be from 200 to 599, not %d", rp.Status)
		}
		if _, ok := ReplyContentType(rp.ContentType); !ok && rp.ContentType != "" {
			bad("reply.content_type", "the answer's content type must be one of %s, not %q: a web page or a script sent from hookflow's address could act as the signed-in person", strings.Join(replyTypes, ", "), rp.ContentType)
		}
		if rp.WaitMs < 0 || rp.WaitMs > maxReplyWait {
			bad("reply.wait_ms", "the answer can wait for the run at most %d ms", maxReplyWait)
		}
	}
	return ps
}

// replyTypes are the content types a webhook answer may have: what sources read, and what no
// browser runs. The answer comes from hookflow's own address, so a page (text/html, SVG, XHTML)
// or a script there would run with the signed-in person's rights; the API's sandbox policy stops
// those too, and this list keeps them from being served at all.
var replyTypes = []string{"text/plain", "application/json", "application/xml", "text/xml", "text/csv"}

// DefaultReplyType is what a flow's answer is served as without an allowed type of its own.
const DefaultReplyType = "text/plain; charset=utf-8"

// ReplyContentType is the type a flow's answer is served with: contentType in its canonical
// form when its media type is allowed (parameters such as charset kept), else false.
func ReplyContentType(contentType string) (string, bool) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", false
	}
	for _, t := range replyTypes {
		if mt == t {
			if out := mime.FormatMediaType(mt, params); out != "" {
				return out, true
			}
		}
	}
	return "", false
}
