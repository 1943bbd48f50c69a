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

// headerVisit is one HTTP header of a flow document.
type headerVisit struct {
	node, key, value string
	secret           bool
}

// mapHeaders calls fn with every header value of every http node and stores what it returns.
func mapHeaders(doc *flows.Flow, fn func(h headerVisit) (string, error)) error {
	for ni := range doc.Nodes {
		n := &doc.Nodes[ni]
		if n.Kind != "http" || len(n.Config) == 0 {
			continue
		}
		headers := gjson.GetBytes(n.Config, "headers")
		if !headers.IsArray() {
			continue
		}
		cfg := []byte(n.Config)
		changed := false
		for i, h := range headers.Array() {
			v := h.Get("value")
			if v.Type != gjson.String {
				continue
			}
			nv, err := fn(headerVisit{node: n.ID, key: h.Get("key").String(), value: v.String(), secret: h.Get("secret").Bool()})
			if err != nil {
				return err
			}
			if nv != v.String() {
				if cfg, err = sjson.SetBytes(cfg, fmt.Sprintf("headers.%d.value", i), nv); err != nil {
					return err
				}
				changed = true
			}
		}
		if changed {
			n.Config = cfg
		}
	}
	return nil
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

// open decrypts one value; without a key a sealed value cannot run.
func (a *App) open(v string) (string, error) {
	if !secrets.IsSealed(v) {
		return v, nil
	}
	if a.cfg.Secrets == nil {
		return "", ErrSecretKeyMismatch
	}
	return a.cfg.Secrets.Open(v)
}

// seal encrypts a secret value, reusing prev when it already seals the same value: a save
// without changes then stores the same text and makes no new version.
func (a *App) seal(v, prev string) string {
	if a.cfg.Secrets == nil || v == "" || secrets.IsSealed(v) {
		return v
	}
	if p, err := a.open(prev); err == nil && p == v && secrets.IsSealed(prev) {
		return prev
	}
	return a.cfg.Secrets.Seal(v)
}

// sealFlow prepares f's document and input values for storage: masked values sent back by the
// editor take the stored ones from prev (nil for a new flow) and secrets are sealed.
func (a *App) sealFlow(f *store.Flow, prev *store.Flow) error {
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return err
	}
	stored := map[string]string{} // node + header key → stored value
	if prev != nil {
		if pdoc, err := flows.ParseFlow([]byte(prev.Document)); err == nil {
			_ = mapHeaders(pdoc, func(h headerVisit) (string, error) {
				stored[h.node+"\x00"+h.key] = h.value
				return h.value, nil
			})
		}
	}
	err = mapHeaders(doc, func(h headerVisit) (string, error) {
		old := stored[h.node+"\x00"+h.key]
		v := h.value
		if v == SecretMask {
			v = old
		}
		if secrets.IsSealed(v) {
			if _, err := a.open(v); err != nil {
				v = "" // not ours: never store what this instance cannot open
			}
			return v, nil
		}
		if h.secret && holdsSecret(v) {
			return a.seal(v, old), nil
		}
		return v, nil
	})
	if err != nil {
		return err
	}
	f.Document = mustJSON(doc)

	values := parseInputs(f.Inputs)
	var prevValues map[string]string
	if prev != nil {
		prevValues = parseInputs(prev.Inputs)
	}
	for _, in := range doc.Inputs {
		v, ok := values[in.Key]
		if !ok {
			continue
		}
		if v == SecretMask {
			v = prevValues[in.Key]
		}
		if secrets.IsSealed(v) {
			if _, err := a.open(v); err != nil {
				v = "" // not ours: never store what this instance cannot open
			}
		}
		if in.Secret {
			v = a.seal(v, prevValues[in.Key])
		}
		values[in.Key] = v
	}
	f.Inputs = mustJSON(values)
	return nil
}

// openFlow returns a copy of f with its secrets decrypted, ready to run.
func (a *App) openFlow(f *store.Flow) (*store.Flow, error) {
	out := *f
	if strings.Contains(f.Document, secrets.Prefix) {
		doc, err := flows.ParseFlow([]byte(f.Document))
		if err != nil {
			return nil, &UnreadableFlowError{ID: f.ID, Err: err}
		}
		if err := mapHeaders(doc, func(h headerVisit) (string, error) { return a.open(h.value) }); err != nil {
			return nil, fmt.Errorf("flow %s: %w", f.ID, err)
		}
		out.Document = mustJSON(doc)
	}
	if strings.Contains(f.Inputs, secrets.Prefix) {
		values := parseInputs(f.Inputs)
		for k, v := range values {
			p, err := a.open(v)
			if err != nil {
				return nil, fmt.Errorf("flow %s, setting %s: %w", f.ID, k, err)
			}
			values[k] = p
		}
		out.Inputs = mustJSON(values)
	}
	return &out, nil
}

// sealStored runs at start: it refuses a key that cannot open what is stored, and seals the
// secret values stored in plain text before encryption existed (flows and their versions).
func (a *App) sealStored(ctx context.Context) error {
	box := a.cfg.Secrets
	if box == nil {
		return nil
	}
	check, err := a.store.SetSettingIfAbsent(ctx, keyCheckSetting, box.Seal("hookflow"))
	if err != nil {
		return fmt.Errorf("checking the secret key: %w", err)
	}
	if _, err := box.Open(check); err != nil {
		return ErrSecretKeyMismatch
	}
	list, err := a.store.Flows(ctx)
	if err != nil {
		return err
	}
	sealed := 0
	for i := range list {
		f := &list[i]
		var unreadable *UnreadableFlowError
		if _, err := a.openFlow(f); errors.As(err, &unreadable) {
			a.log.Error("a stored flow cannot be read", "flow", f.ID, "err", unreadable.Err)
			continue // it fails alone (lists show it, its runs fail): not a reason to refuse to start
		} else if err != nil {
			return fmt.Errorf("%w (%v)", ErrSecretKeyMismatch, err)
		}
		next := *f
		if err := a.sealFlow(&next, f); err != nil {
			continue // an unreadable document has nothing to seal
		}
		if next.Document != f.Document || next.Inputs != f.Inputs {
			if err := a.store.SetFlowSecrets(ctx, f.ID, next.Document, next.Inputs); err != nil {
				return fmt.Errorf("sealing the secrets of flow %s: %w", f.ID, err)
			}
			sealed++
		}
	}
	err = a.store.VersionDocuments(ctx, func(id uint, document string) error {
		f := &store.Flow{Document: document}
		if _, err := a.openFlow(f); err != nil {
			return fmt.Errorf("%w (version %d: %v)", ErrSecretKeyMismatch, id, err)
		}
		next := *f
		if err := a.sealFlow(&next, f); err != nil || next.Document == document {
			return nil
		}
		sealed++
		return a.store.SetVersionDocument(ctx, id, next.Document)
	})
	if err != nil {
		return err
	}
	if sealed > 0 {
		a.log.Info("encrypted secrets stored in plain text before", "records", sealed)
	}
	return nil
}
