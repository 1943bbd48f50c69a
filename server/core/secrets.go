package core

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// Secret values at rest: input values of inputs marked secret and values of HTTP headers marked
// secret are sealed (server/secrets) before a flow is stored and opened when it is loaded to
// run. The API never shows them: view masks them, and a masked value sent back keeps the stored
// one. Headers are edited inside the node's raw config (gjson/sjson) so the document keeps its
// field order and unknown fields.

// keyCheckSetting holds a value sealed with the instance's key: a process started with another
// key finds out before it touches anything.
const keyCheckSetting = "secrets.key_check"

// ErrSecretKeyMismatch refuses to start with a key that cannot open the stored secrets.
var ErrSecretKeyMismatch = errors.New("the secret key does not open the secrets stored in this database: " +
	"start with the key used before (HOOKFLOW_SECRET_KEY, or secret.key in the data directory) or restore it from your backup")

// templateRef matches a {{…}} reference: a header value made only of references holds no secret
// itself (the secret is the input it refers to), so it stays readable in the editor.
var templateRef = regexp.MustCompile(`\{\{[^}]*\}\}`)

func holdsSecret(v string) bool { return strings.TrimSpace(templateRef.ReplaceAllString(v, "")) != "" }

// headerVisit is one HTTP header of a flow document, or one field of a step that its kind marks
// secret (flows.SecretFields: a service account's key).
type headerVisit struct {
	node, key, value string
	secret           bool
	field            string // the value's place (headerField, kindField)
}

// mapHeaders calls fn with every value of a row that its kind lets be marked secret (an HTTP
// step's headers: flows.SecretRowLists) and every secret field of a step, and stores what it
// returns.
func mapHeaders(doc *flows.Flow, fn func(h headerVisit) (string, error)) error {
	for ni := range doc.Nodes {
		n := &doc.Nodes[ni]
		if len(n.Config) == 0 {
			continue
		}
		cfg := []byte(n.Config)
		changed := false
		visit := func(path string, h headerVisit) error {
			nv, err := fn(h)
			if err != nil {
				return err
			}
			if nv != h.value {
				if cfg, err = sjson.SetBytes(cfg, path, nv); err != nil {
					return err
				}
				changed = true
			}
			return nil
		}
		for _, key := range flows.SecretFields(n.Kind) {
			if v := gjson.GetBytes(cfg, gjsonKey(key)); v.Type == gjson.String {
				if err := visit(gjsonKey(key), headerVisit{node: n.ID, key: key, value: v.String(), secret: true, field: kindField(n.ID, key)}); err != nil {
					return err
				}
			}
		}
		for _, list := range flows.SecretRowLists(n.Kind) {
			for i, h := range gjson.GetBytes(cfg, gjsonKey(list)).Array() {
				v := h.Get("value")
				if v.Type != gjson.String {
					continue
				}
				key := h.Get("key").String()
				if err := visit(fmt.Sprintf("%s.%d.value", gjsonKey(list), i), headerVisit{node: n.ID, key: key, value: v.String(), secret: h.Get("secret").Bool(), field: rowField(n.ID, list, key)}); err != nil {
					return err
				}
			}
		}
		if changed {
			n.Config = cfg
		}
	}
	return nil
}

// gjsonKey escapes a field name for a gjson/sjson path.
func gjsonKey(key string) string {
	return strings.NewReplacer(".", `\.`, "*", `\*`, "?", `\?`).Replace(key)
}

// maskDocument hides secret header values (and anything sealed) for API answers.
func maskDocument(doc *flows.Flow) {
	_ = mapHeaders(doc, func(h headerVisit) (string, error) {
		if (h.secret && holdsSecret(h.value)) || secrets.IsSealed(h.value) {
			return SecretMask, nil
		}
		return h.value, nil
	})
}

// maskDocumentJSON is maskDocument over a stored document.
func maskDocumentJSON(s string) string {
	doc, err := flows.ParseFlow([]byte(s))
	if err != nil {
		return s
	}
	maskDocument(doc)
	return mustJSON(doc)
}

// place is the team and flow a flow's sealed values belong to. Each value is sealed for its
// place and its field (secrets.Place), so a value copied from another team's flow, another flow
// or another field of the same flow does not open: it is refused, never decrypted and sent.
type place struct{ team, flow string }

func placeOf(f *store.Flow) place { return place{team: f.TeamID, flow: f.ID} }

func inputField(key string) string        { return "input:" + key }
func headerField(node, key string) string { return "header:" + node + "\x00" + key }

// rowField is the place of a row's value in a list whose rows can be marked secret
// (flows.SecretRowLists). An HTTP step's headers were the only such list when values were first
// sealed, and keep their places; another list's rows name the list.
func rowField(node, list, key string) string {
	if list == "headers" {
		return headerField(node, key)
	}
	return "row:" + node + "\x00" + list + "\x00" + key
}
func kindField(node, key string) string { return "field:" + node + "\x00" + key }

// fieldName names a field for people: the log line of a refused value.
func fieldName(field string) string {
	if k, ok := strings.CutPrefix(field, "input:"); ok {
		return "setting " + k
	}
	if rest, ok := strings.CutPrefix(field, "field:"); ok {
		node, key, _ := strings.Cut(rest, "\x00")
		return "field " + key + " of step " + node
	}
	if rest, ok := strings.CutPrefix(field, "row:"); ok {
		parts := strings.SplitN(rest, "\x00", 3)
		if len(parts) == 3 {
			return parts[1] + " row " + parts[2] + " of step " + parts[0]
		}
	}
	node, key, _ := strings.Cut(strings.TrimPrefix(field, "header:"), "\x00")
	return "header " + key + " of step " + node
}

// keyCheckPlace is the place of the key check value: no flow has an empty id.
var keyCheckPlace = secrets.Place("", "", "key-check")

// open decrypts a value sealed for p and field. rebind says it was sealed while its flow
// belonged to no team (before the first signup adopted it) and should be sealed again.
func (s *Flows) open(v string, p place, field string) (plain string, rebind bool, err error) {
	if !secrets.IsSealed(v) {
		return v, false, nil
	}
	if s.cfg.Secrets == nil {
		return "", false, ErrSecretKeyMismatch
	}
	plain, err = s.cfg.Secrets.Open(v, secrets.Place(p.team, p.flow, field))
	if err != nil && p.team != "" {
		if old, err2 := s.cfg.Secrets.Open(v, secrets.Place("", p.flow, field)); err2 == nil {
			return old, true, nil
		}
	}
	return plain, false, err
}

// seal encrypts a secret value for its place, reusing prev when it already seals the same value
// there: a save without changes then stores the same text and makes no new version.
func (s *Flows) seal(v, prev string, p place, field string) string {
	if s.cfg.Secrets == nil || v == "" || secrets.IsSealed(v) {
		return v
	}
	if old, rebind, err := s.open(prev, p, field); err == nil && !rebind && old == v && secrets.IsSealed(prev) {
		return prev
	}
	return s.cfg.Secrets.Seal(v, secrets.Place(p.team, p.flow, field))
}

// keepSealed decides what becomes of a sealed value about to be stored at field: kept when it
// opens there, sealed again for its place when it was sealed for the flow without a team (or,
// at start, in the first format), and otherwise refused. A refused value is dropped from what
// the API stores (the setting shows as empty); at start it is left as it is and reported, since
// it can never be used anyway.
func (s *Flows) keepSealed(v string, p place, field string, atStart bool, refused *[]string) (string, error) {
	if atStart && secrets.IsUnbound(v) {
		plain, err := s.cfg.Secrets.OpenUnbound(v)
		if err != nil {
			return "", fmt.Errorf("%w (flow %s, %s)", ErrSecretKeyMismatch, p.flow, fieldName(field))
		}
		return s.cfg.Secrets.Seal(plain, secrets.Place(p.team, p.flow, field)), nil
	}
	plain, rebind, err := s.open(v, p, field)
	switch {
	case errors.Is(err, ErrSecretKeyMismatch):
		return "", err
	case err != nil:
		*refused = append(*refused, fieldName(field))
		if atStart {
			return v, nil
		}
		return "", nil
	case rebind:
		return s.cfg.Secrets.Seal(plain, secrets.Place(p.team, p.flow, field)), nil
	}
	return v, nil
}

// sealFlow prepares f's document and input values for storage: masked values sent back by the
// editor take the stored ones from prev (nil for a new flow), secrets are sealed for their place
// and sealed values that do not belong to it are refused. f.ID must be set. atStart moves values
// of the first format to the current one. It returns the fields whose values were refused.
func (s *Flows) sealFlow(f *store.Flow, prev *store.Flow, atStart bool) (refused []string, err error) {
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return nil, err
	}
	p := placeOf(f)
	stored := map[string]string{} // node + header key → stored value
	if prev != nil {
		if pdoc, err := flows.ParseFlow([]byte(prev.Document)); err == nil {
			_ = mapHeaders(pdoc, func(h headerVisit) (string, error) {
				stored[h.field] = h.value
				return h.value, nil
			})
		}
	}
	err = mapHeaders(doc, func(h headerVisit) (string, error) {
		field := h.field
		old := stored[field]
		v := h.value
		if v == SecretMask {
			v = old
		}
		if secrets.IsSealed(v) {
			return s.keepSealed(v, p, field, atStart, &refused)
		}
		if h.secret && holdsSecret(v) {
			return s.seal(v, old, p, field), nil
		}
		return v, nil
	})
	if err != nil {
		return nil, err
	}
	f.Document = mustJSON(doc)

	values := parseInputs(f.Inputs)
	var prevValues map[string]string
	if prev != nil {
		prevValues = parseInputs(prev.Inputs)
	}
	secret := map[string]bool{}
	for _, in := range doc.Inputs {
		secret[in.Key] = in.Secret
	}
	for key, v := range values { // every value, also of keys the document does not declare (yet)
		field := inputField(key)
		if v == SecretMask {
			v = prevValues[key]
		}
		switch {
		case secrets.IsSealed(v):
			if v, err = s.keepSealed(v, p, field, atStart, &refused); err != nil {
				return nil, err
			}
		case secret[key]:
			v = s.seal(v, prevValues[key], p, field)
		}
		values[key] = v
	}
	f.Inputs = mustJSON(values)
	return refused, nil
}

// mentionsSealed reports whether s may hold a sealed value.
func mentionsSealed(s string) bool {
	return strings.Contains(s, secrets.Prefix) || strings.Contains(s, secrets.PrefixV1)
}

// openFlow returns a copy of f with its secrets decrypted, ready to run. A value that does not
// open where it is (copied from elsewhere) is not used: it runs as empty, and the log names it.
func (s *Flows) openFlow(f *store.Flow) (*store.Flow, error) {
	out := *f
	p := placeOf(f)
	openAt := func(v, field string) (string, error) {
		plain, _, err := s.open(v, p, field)
		if errors.Is(err, ErrSecretKeyMismatch) {
			return "", fmt.Errorf("flow %s, %s: %w", f.ID, fieldName(field), err)
		}
		if err != nil {
			s.log.Warn("a secret value is not used: "+err.Error(), "flow", f.ID, "flow_name", f.Name, "field", fieldName(field))
			return "", nil
		}
		return plain, nil
	}
	if mentionsSealed(f.Document) {
		doc, err := flows.ParseFlow([]byte(f.Document))
		if err != nil {
			return nil, &UnreadableFlowError{ID: f.ID, Err: err}
		}
		if err := mapHeaders(doc, func(h headerVisit) (string, error) { return openAt(h.value, h.field) }); err != nil {
			return nil, err
		}
		out.Document = mustJSON(doc)
	}
	if mentionsSealed(f.Inputs) {
		values := parseInputs(f.Inputs)
		for k, v := range values {
			plain, err := openAt(v, inputField(k))
			if err != nil {
				return nil, err
			}
			values[k] = plain
		}
		out.Inputs = mustJSON(values)
	}
	return &out, nil
}

// sealStored runs at start: it refuses a key that cannot open what is stored, seals the secret
// values stored in plain text before encryption existed, and seals again for their place the
// values sealed before places existed (flows and their versions). It reports, naming flow and
// field, every value that does not open where it is stored.
func (s *Flows) sealStored(ctx context.Context) error {
	box := s.cfg.Secrets
	if box == nil {
		return nil
	}
	check, err := s.store.SetSettingIfAbsent(ctx, keyCheckSetting, box.Seal("hookflow", keyCheckPlace))
	if err != nil {
		return fmt.Errorf("checking the secret key: %w", err)
	}
	if secrets.IsUnbound(check) {
		_, err = box.OpenUnbound(check)
	} else {
		_, err = box.Open(check, keyCheckPlace)
	}
	if err != nil {
		return ErrSecretKeyMismatch
	}
	report := func(f *store.Flow, what string, refused []string) {
		for _, field := range refused {
			s.log.Warn("a stored secret value was made for another flow or field and was copied here; it is not used until the secret is typed again",
				"flow", f.ID, "flow_name", f.Name, "in", what, "field", field)
		}
	}
	list, err := s.store.Flows(ctx)
	if err != nil {
		return err
	}
	sealed := 0
	for i := range list {
		f := &list[i]
		next := *f
		refused, err := s.sealFlow(&next, f, true)
		if errors.Is(err, ErrSecretKeyMismatch) {
			return err
		}
		if err != nil {
			continue // an unreadable document has nothing to seal
		}
		report(f, "flow", refused)
		if next.Document != f.Document || next.Inputs != f.Inputs {
			if err := s.store.SetFlowSecrets(ctx, f.ID, next.Document, next.Inputs); err != nil {
				return fmt.Errorf("sealing the secrets of flow %s: %w", f.ID, err)
			}
			sealed++
		}
	}
	err = s.store.VersionDocuments(ctx, func(v store.FlowVersion) error {
		f := &store.Flow{ID: v.FlowID, TeamID: v.TeamID, Document: v.Document}
		next := *f
		refused, err := s.sealFlow(&next, f, true)
		if errors.Is(err, ErrSecretKeyMismatch) {
			return err
		}
		if err != nil {
			return nil
		}
		report(f, fmt.Sprintf("version %d", v.Version), refused)
		if next.Document == v.Document {
			return nil
		}
		sealed++
		return s.store.SetVersionDocument(ctx, v.ID, next.Document)
	})
	if err != nil {
		return err
	}
	if sealed > 0 {
		s.log.Info("encrypted secrets stored in plain text before", "records", sealed)
		// The plain text is still in the file's free pages and write-ahead log until rebuilt.
		// A failure (say, no disk space for the copy VACUUM makes) does not stop the start: the
		// values are sealed, and the instance must run.
		if err := s.store.Compact(ctx); err != nil {
			s.log.Warn("the database file may still hold the secrets sealed now in free space; free disk space and run VACUUM on it", "err", err)
		}
	}
	return nil
}
