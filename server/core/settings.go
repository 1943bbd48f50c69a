package core

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hookflow/hookflow/flows"
)

// CodeBadSetting marks a flow setting the server cannot use (the field names which one).
const CodeBadSetting = "settings.invalid"

// maxReplyWait is the longest a webhook answer may wait for its run, in ms.
const maxReplyWait = int(flows.MaxReplyWait / time.Millisecond)

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
		if _, ok := flows.ReplyContentType(rp.ContentType); !ok && rp.ContentType != "" {
			bad("reply.content_type", "the answer's content type must be one of %s, not %q: a web page or a script sent from hookflow's address could act as the signed-in person", strings.Join(flows.ReplyTypes, ", "), rp.ContentType)
		}
		if rp.WaitMs < 0 || rp.WaitMs > maxReplyWait {
			bad("reply.wait_ms", "the answer can wait for the run at most %d ms", maxReplyWait)
		}
	}
	return ps
}
