package core

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"github.com/hookflow/hookflow/flows"
	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

func parseSettings(s string) FlowSettings {
	var fs FlowSettings
	if s != "" {
		_ = json.Unmarshal([]byte(s), &fs)
	}
	return fs
}

// InvalidError carries every problem of a rejected flow (the API answers 422).
type InvalidError struct{ Problems flows.Problems }

func (e *InvalidError) Error() string { return e.Problems.Error() }

// FlowInput is what creating or updating a flow takes.
type FlowInput struct {
	Document    *flows.Flow
	InputValues map[string]string // nil: keep the stored values
	Settings    *FlowSettings     // nil: keep the stored settings
	Draft       bool              // save even with problems (the editor's autosave)
}

// UnreadableFlowError is a stored flow whose document cannot be read (a damaged row, or one
// written by something other than hookflow). It fails that flow alone: lists show the others,
// and its runs fail with this sentence.
type UnreadableFlowError struct {
	ID  string
	Err error
}

func (e *UnreadableFlowError) Error() string {
	return "this flow could not be read: " + e.Err.Error() + "; restore an earlier version from its history, or delete it"
}

func (e *UnreadableFlowError) Unwrap() error { return e.Err }

// SecretMask replaces secret values in API answers.
const SecretMask = "••••••"

func (s *Flows) view(f *store.Flow, stats store.FlowStats) (*FlowView, error) {
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return nil, &UnreadableFlowError{ID: f.ID, Err: err}
	}
	values := parseInputs(f.Inputs)
	for _, in := range doc.Inputs {
		if in.Secret && values[in.Key] != "" {
			values[in.Key] = SecretMask
		}
	}
	for k, val := range values {
		if secrets.IsSealed(val) { // an input no longer marked secret keeps its value hidden
			values[k] = SecretMask
		}
	}
	maskDocument(doc)
	v := &FlowView{ID: f.ID, Name: f.Name, Active: f.Active, Version: f.Version, WebhookURL: s.WebhookURL(f.Token), token: f.Token,
		Document: doc, InputValues: values, Settings: parseSettings(f.Settings), CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt,
		LastRunAt: stats.LastRunAt, LastStatus: stats.LastStatus, Failed: stats.Failed}
	if doc.Scheduled() {
		v.WebhookURL = "" // started by its schedule: there is no address to give a service
	}
	v.Problems = flows.Validate(doc, func(k string) (string, bool) { s, ok := values[k]; return s, ok })
	if v.Problems == nil {
		v.Problems = flows.Problems{}
	}
	return v, nil
}

// WebhookURL is the address a source system calls for the flow with this token.
func (s *Flows) WebhookURL(token string) string {
	return strings.TrimRight(s.cfg.PublicURL, "/") + "/hook/" + token
}

// Create validates and stores a new flow (stopped).
func (s *Flows) Create(ctx context.Context, in FlowInput) (*FlowView, error) {
	if err := checkDocument(in); err != nil {
		return nil, err
	}
	values := in.InputValues
	if values == nil {
		values = map[string]string{}
	}
	settings := FlowSettings{}
	if in.Settings != nil {
		settings = *in.Settings
	}
	// The id is chosen now: secrets are sealed for their flow.
	f := &store.Flow{ID: store.NewID(), TeamID: TeamOf(ctx), Name: flowName(in.Document), Document: mustJSON(in.Document), Inputs: mustJSON(values), Settings: mustJSON(settings)}
	if _, err := s.sealFlow(f, nil, false); err != nil {
		return nil, err
	}
	if err := s.store.CreateFlow(ctx, f); err != nil {
		return nil, err
	}
	return s.view(f, store.FlowStats{})
}

// Update saves a new version of a flow. Secret values sent back masked keep their stored value.
func (s *Flows) Update(ctx context.Context, id string, in FlowInput) (*FlowView, error) {
	f, err := s.store.Flow(ctx, id)
	if err != nil {
		return nil, err
	}
	if in.Document == nil {
		in.Document, err = flows.ParseFlow([]byte(f.Document))
		if err != nil {
			return nil, &UnreadableFlowError{ID: id, Err: err}
		}
	}
	if stored := parseSettings(f.Settings); in.Settings == nil && stored.Reply != nil {
		// Saved before the Reply step: the setting becomes the step with this save. A document
		// from the editor already has it (the editor reads flows upgraded), and keeps it.
		f.Settings = withoutReply(f.Settings)
		if _, has := in.Document.ReplyWait(); !has {
			upgradeReply(in.Document, &stored)
		}
	}
	if err := checkDocument(in); err != nil {
		return nil, err
	}
	prev := *f
	if in.InputValues != nil {
		old := parseInputs(f.Inputs)
		for k, v := range in.InputValues {
			if v == SecretMask {
				in.InputValues[k] = old[k]
			}
		}
		f.Inputs = mustJSON(in.InputValues)
	}
	if in.Settings != nil {
		f.Settings = mustJSON(*in.Settings)
	}
	f.Name, f.Document = flowName(in.Document), mustJSON(in.Document)
	if _, err := s.sealFlow(f, &prev, false); err != nil {
		return nil, err
	}
	if f.Active {
		// A running flow must stay runnable: a draft with problems is refused until it is stopped.
		values := parseInputs(f.Inputs)
		if ps := flows.Validate(in.Document, func(k string) (string, bool) { v, ok := values[k]; return v, ok }); len(ps) > 0 {
			return nil, &InvalidError{Problems: ps}
		}
	}
	if err := s.store.UpdateFlow(ctx, f); err != nil {
		return nil, err
	}
	s.forget(f)
	return s.Get(ctx, id)
}

func checkDocument(in FlowInput) error {
	if in.Document == nil {
		return &InvalidError{Problems: flows.Problems{{Code: flows.CodeNoNodes, Message: "the request has no flow document"}}}
	}
	if in.Document.Schema == 0 {
		in.Document.Schema = flows.SchemaVersion
	}
	if in.Settings != nil { // settings must be usable even in a draft: the service acts on them
		if ps := in.Settings.problems(); len(ps) > 0 {
			return &InvalidError{Problems: ps}
		}
		upgradeReply(in.Document, in.Settings) // an old client's or file's reply: stored as the step
	}
	if in.Draft {
		return nil
	}
	if ps := flows.Validate(in.Document, nil); len(ps) > 0 {
		return &InvalidError{Problems: ps}
	}
	return nil
}

func flowName(f *flows.Flow) string {
	if strings.TrimSpace(f.Name) == "" {
		return "Untitled flow"
	}
	return f.Name
}

func mustJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(data)
}

// Get returns one flow as the API shows it.
func (s *Flows) Get(ctx context.Context, id string) (*FlowView, error) {
	f, err := s.stored(ctx, id)
	if err != nil {
		return nil, err
	}
	stats, err := s.store.Stats(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.view(f, stats[id])
}

// List lists every flow (of the team of ctx, when it has one) with its last run and failure
// count.
func (s *Flows) List(ctx context.Context) ([]*FlowView, error) {
	var list []store.Flow
	var err error
	team := TeamOf(ctx)
	if team == "" {
		list, err = s.store.Flows(ctx)
	} else {
		list, err = s.store.TeamFlows(ctx, team)
	}
	if err != nil || len(list) == 0 {
		return []*FlowView{}, err
	}
	ids := make([]string, len(list))
	for i, f := range list {
		ids[i] = f.ID
	}
	stats, err := s.store.Stats(ctx, ids...)
	if err != nil {
		return nil, err
	}
	out := make([]*FlowView, 0, len(list))
	for i := range list {
		f := upgraded(&list[i])
		v, err := s.view(f, stats[f.ID])
		var unreadable *UnreadableFlowError
		if errors.As(err, &unreadable) {
			// One damaged flow must not hide the team's others.
			s.log.Error("a stored flow cannot be read", "flow", f.ID, "err", unreadable.Err)
			st := stats[f.ID]
			v = &FlowView{ID: f.ID, Name: f.Name, Active: f.Active, Version: f.Version, WebhookURL: s.WebhookURL(f.Token),
				InputValues: map[string]string{}, Settings: parseSettings(f.Settings), Problems: flows.Problems{}, CreatedAt: f.CreatedAt,
				UpdatedAt: f.UpdatedAt, LastRunAt: st.LastRunAt, LastStatus: st.LastStatus, Failed: st.Failed, Error: unreadable.Error()}
		} else if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// SetActive starts or stops a flow. Starting checks the flow and its input values first.
func (s *Flows) SetActive(ctx context.Context, id string, active bool) (*FlowView, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if active && len(v.Problems) > 0 {
		return nil, &InvalidError{Problems: v.Problems}
	}
	if err := s.store.SetFlowActive(ctx, id, active, s.cfg.Clock.Now()); err != nil {
		return nil, err
	}
	s.forget(&store.Flow{ID: id, Token: v.token})
	v.Active = active
	return v, nil
}

// Delete removes a flow and its journal.
func (s *Flows) Delete(ctx context.Context, id string) error {
	f, err := s.store.Flow(ctx, id)
	if err != nil {
		return err
	}
	s.programs.Delete(id)
	s.cache.Delete(id)
	s.intake.forget(id, f.Token)
	return s.store.DeleteFlow(ctx, id)
}

// RestoreVersion makes an old version the current document (as a new version).
func (s *Flows) RestoreVersion(ctx context.Context, id string, version int) (*FlowView, error) {
	v, err := s.store.FlowVersion(ctx, id, version)
	if err != nil {
		return nil, err
	}
	doc, err := flows.ParseFlow([]byte(v.Document))
	if err != nil {
		return nil, err
	}
	return s.Update(ctx, id, FlowInput{Document: doc, Draft: true})
}

// Duplicate copies a flow under a new name (default "<name> (copy)"), stopped, with its input
// values — secret ones included, which the API only shows masked, so a client cannot copy them —
// and its settings. The copy gets its own webhook token and an empty journal.
func (s *Flows) Duplicate(ctx context.Context, id, name string) (*FlowView, error) {
	stored, err := s.stored(ctx, id)
	if err != nil {
		return nil, err
	}
	// Opened here and sealed again by CreateFlow for the copy: sealed values belong to one flow.
	f, err := s.openFlow(stored)
	if err != nil {
		return nil, err
	}
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return nil, &UnreadableFlowError{ID: id, Err: err}
	}
	if name = strings.TrimSpace(name); name == "" {
		name = flowName(doc) + " (copy)"
	}
	doc.Name = name
	settings := parseSettings(f.Settings)
	// Draft: the original may be an unfinished draft; the copy keeps its problems, like the original.
	return s.Create(ctx, FlowInput{Document: doc, InputValues: parseInputs(f.Inputs), Settings: &settings, Draft: true})
}

// Instantiate creates a flow from a template with the user's values for its inputs.
func (s *Flows) Instantiate(ctx context.Context, tpl flows.FlowTemplate, name string, values map[string]string) (*FlowView, error) {
	doc := tpl.Flow
	if name != "" {
		doc.Name = name
	}
	delete(doc.Extra, "template")
	if ps := flows.Validate(doc, func(k string) (string, bool) { v, ok := values[k]; return v, ok }); len(ps) > 0 {
		return nil, &InvalidError{Problems: ps}
	}
	return s.Create(ctx, FlowInput{Document: doc, InputValues: values})
}

// ExportTemplate turns a flow into a shareable template document: secret values never leave,
// and every input value becomes the input's default unless secret.
func (s *Flows) ExportTemplate(ctx context.Context, id string) (*flows.Flow, error) {
	f, err := s.stored(ctx, id)
	if err != nil {
		return nil, err
	}
	doc, err := flows.ParseFlow([]byte(f.Document))
	if err != nil {
		return nil, &UnreadableFlowError{ID: id, Err: err}
	}
	_ = mapHeaders(doc, func(h headerVisit) (string, error) {
		if (h.secret && holdsSecret(h.value)) || secrets.IsSealed(h.value) {
			return "", nil
		}
		return h.value, nil
	})
	values := parseInputs(f.Inputs)
	for i, in := range doc.Inputs {
		if !in.Secret && values[in.Key] != "" && !secrets.IsSealed(values[in.Key]) {
			doc.Inputs[i].Default = values[in.Key]
		}
	}
	meta := map[string]any{"id": slug(doc.Name), "title": flows.Same(doc.Name)}
	if doc.Extra == nil {
		doc.Extra = map[string]json.RawMessage{}
	}
	doc.Extra["template"] = json.RawMessage(mustJSON(meta))
	return doc, nil
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	out := strings.Trim(b.String(), "-")
	if out == "" {
		out = "flow"
	}
	return out
}

// Versions lists a flow's saved versions.
func (s *Flows) Versions(ctx context.Context, id string) ([]store.FlowVersion, error) {
	if _, err := s.store.Flow(ctx, id); err != nil {
		return nil, err
	}
	return s.store.FlowVersions(ctx, id)
}

// Samples returns the flow's latest captured requests and the union of their parameters.
func (s *Flows) Samples(ctx context.Context, id string, limit int) ([]Sample, []LearnedField, error) {
	if _, err := s.store.Flow(ctx, id); err != nil {
		return nil, nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	events, err := s.store.RecentEvents(ctx, id, limit)
	if err != nil {
		return nil, nil, err
	}
	samples := make([]Sample, 0, len(events))
	fields := map[string]*LearnedField{}
	for _, ev := range events {
		var p flows.Payload
		if json.Unmarshal([]byte(ev.Payload), &p) != nil {
			continue
		}
		samples = append(samples, Sample{EventID: ev.ID, Status: ev.Status, ReceivedAt: ev.ReceivedAt, Payload: p})
		out, err := flows.ParseRequest(p)
		if err != nil {
			continue
		}
		for k, v := range out["params"].(map[string]any) {
			lf := fields[k]
			if lf == nil {
				lf = &LearnedField{Key: k, Example: flows.Stringify(v)}
				fields[k] = lf
			}
			lf.Seen++
		}
	}
	learned := make([]LearnedField, 0, len(fields))
	for _, f := range fields {
		learned = append(learned, *f)
	}
	sort.Slice(learned, func(i, j int) bool { return learned[i].Key < learned[j].Key })
	return samples, learned, nil
}

// Exists is nil when the flow is stored, store.ErrNotFound when not.
func (s *Flows) Exists(ctx context.Context, id string) error {
	_, err := s.store.Flow(ctx, id)
	return err
}

// IsNotFound reports whether err means the object does not exist.
func IsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// VersionDocument is one saved version's document as the API shows it: secrets masked.
func (s *Flows) VersionDocument(ctx context.Context, id string, version int) (string, error) {
	v, err := s.store.FlowVersion(ctx, id, version)
	if err != nil {
		return "", err
	}
	return maskDocumentJSON(v.Document), nil
}
