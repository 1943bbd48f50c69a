package store

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
)

// NewID returns a time-ordered unique id (UUIDv7): ids sort by creation time.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// NewToken returns an unguessable webhook token (160 random bits).
func NewToken() string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// CreateFlow stores a new flow and its first version.
func (s *Store) CreateFlow(ctx context.Context, f *Flow) error {
	now := time.Now().UTC()
	if f.ID == "" {
		f.ID = NewID()
	}
	if f.Token == "" {
		f.Token = NewToken()
	}
	f.Version, f.CreatedAt, f.UpdatedAt = 1, now, now
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(f).Error; err != nil {
			return err
		}
		return tx.Create(&FlowVersion{TeamID: f.TeamID, FlowID: f.ID, Version: 1, Document: f.Document, CreatedAt: now}).Error
	})
}

// UpdateFlow saves a new document (a new version) and the other fields of f.
func (s *Store) UpdateFlow(ctx context.Context, f *Flow) error {
	now := time.Now().UTC()
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		var cur Flow
		if err := tx.Select("id", "team_id", "version", "document").First(&cur, "id = ?", f.ID).Error; err != nil {
			return notFound(err)
		}
		f.Version = cur.Version
		if cur.Document != f.Document {
			f.Version++
			if err := tx.Create(&FlowVersion{TeamID: cur.TeamID, FlowID: f.ID, Version: f.Version, Document: f.Document, CreatedAt: now}).Error; err != nil {
				return err
			}
		}
		f.UpdatedAt = now
		return tx.Model(&Flow{}).Where("id = ?", f.ID).Updates(map[string]any{
			"name": f.Name, "document": f.Document, "version": f.Version, "inputs": f.Inputs,
			"settings": f.Settings, "updated_at": now,
		}).Error
	})
}

// SetFlowActive starts or stops a flow; starting notes at as the time it was started (the
// service's clock).
func (s *Store) SetFlowActive(ctx context.Context, id string, active bool, at time.Time) error {
	change := map[string]any{"active": active, "updated_at": time.Now().UTC()}
	if active {
		change["started_at"] = at.UTC()
	}
	res := s.Write(ctx).Model(&Flow{}).Where("id = ?", id).Updates(change)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}

// Flow returns one flow.
func (s *Store) Flow(ctx context.Context, id string) (*Flow, error) {
	return first[Flow](ctx, s, "id", id)
}

// FlowByToken finds the flow of a webhook URL.
func (s *Store) FlowByToken(ctx context.Context, token string) (*Flow, error) {
	return first[Flow](ctx, s, "token", token)
}

// Flows lists flows, newest first.
func (s *Store) Flows(ctx context.Context) ([]Flow, error) {
	var out []Flow
	err := s.Read(ctx).Order("created_at desc").Find(&out).Error
	return out, err
}

// TeamFlows lists a team's flows, newest first.
func (s *Store) TeamFlows(ctx context.Context, teamID string) ([]Flow, error) {
	var out []Flow
	err := s.Read(ctx).Where("team_id = ?", teamID).Order("created_at desc").Find(&out).Error
	return out, err
}

// DeleteFlow removes a flow with its versions, events and runs. A long journal is deleted
// first in small transactions (as retention does), so that the flow's final transaction is
// short; webhooks that arrive meanwhile are deleted with it.
func (s *Store) DeleteFlow(ctx context.Context, id string) error {
	if _, err := s.Flow(ctx, id); err != nil {
		return err
	}
	later := time.Now().UTC().Add(time.Hour) // everything stored until now
	for _, cut := range []*journalCut{
		{table: "runs", timeCol: "started_at", flowID: id, at: later},
		// Not the queued events: the flow runs them until it is gone.
		{table: "events", timeCol: "received_at", flowID: id, at: later, statuses: []string{EventDone, EventFailed, EventSample}},
	} {
		if _, err := s.deleteInSteps(ctx, cut.table, cut); err != nil {
			return err
		}
	}
	return s.Write(ctx).Transaction(func(tx *gorm.DB) error {
		res := tx.Delete(&Flow{}, "id = ?", id)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return ErrNotFound
		}
		for _, m := range []any{&FlowVersion{}, &Event{}, &Run{}} {
			if err := tx.Where("flow_id = ?", id).Delete(m).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// FlowVersions lists a flow's saved versions, newest first, without documents.
func (s *Store) FlowVersions(ctx context.Context, flowID string) ([]FlowVersion, error) {
	var out []FlowVersion
	err := s.Read(ctx).Select("id", "flow_id", "version", "created_at").Where("flow_id = ?", flowID).Order("version desc").Find(&out).Error
	return out, err
}

// FlowVersion returns one saved version with its document.
func (s *Store) FlowVersion(ctx context.Context, flowID string, version int) (*FlowVersion, error) {
	var v FlowVersion
	if err := s.Read(ctx).First(&v, "flow_id = ? AND version = ?", flowID, version).Error; err != nil {
		return nil, notFound(err)
	}
	return &v, nil
}
