package core

import (
	"encoding/json"
	"strings"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/store"
)

// Flows saved before the Reply step kept the webhook's answer in their settings ("reply"). Such a
// flow is upgraded whenever it is read — by the API, the ingress and the workers alike — and the
// upgrade is stored with its next save: the answer becomes a Reply step placed where it answers
// the same (flows.Flow.AddReplyStep), and the setting is removed. Nothing is rewritten in bulk: a
// flow keeps working as it was until someone saves it, an older process sharing the database
// still reads what is stored, and imports, API clients and rows written by other means that
// still carry the setting go through the same code.

// upgradeReply moves settings' reply into doc as a Reply step; true when settings changed. A
// document that already has a Reply step keeps it: the step is what answers, and the setting is
// dropped.
func upgradeReply(doc *flows.Flow, s *FlowSettings) bool {
	rp := s.Reply
	if rp == nil {
		return false
	}
	s.Reply = nil
	if _, has := doc.ReplyWait(); !has {
		doc.AddReplyStep(rp.Status, rp.ContentType, rp.Body, rp.WaitMs)
	}
	return true
}

// upgraded is a stored flow as it reads now: f itself, or a copy whose reply setting is a step.
func upgraded(f *store.Flow) *store.Flow {
	if f == nil || !strings.Contains(f.Settings, `"reply"`) {
		return f
	}
	settings := parseSettings(f.Settings)
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil || !upgradeReply(doc, &settings) {
		return f // an unreadable document is reported where it is used
	}
	next := *f
	next.Document, next.Settings = mustJSON(doc), withoutReply(f.Settings)
	return &next
}

// withoutReply is stored settings JSON without its reply, members of a newer hookflow kept.
func withoutReply(stored string) string {
	out := map[string]json.RawMessage{}
	_ = json.Unmarshal([]byte(stored), &out)
	delete(out, "reply")
	return mustJSON(out)
}
