package store

import (
	"context"
	"time"
)

// CreateTeamTemplate stores a team's template.
func (s *Store) CreateTeamTemplate(ctx context.Context, t *TeamTemplate) error {
	if t.ID == "" {
		t.ID = NewID()
	}
	t.CreatedAt = time.Now().UTC()
	return s.Write(ctx).Create(t).Error
}

// TeamTemplates lists a team's templates, newest first.
func (s *Store) TeamTemplates(ctx context.Context, teamID string) ([]TeamTemplate, error) {
	var out []TeamTemplate
	err := s.Read(ctx).Where("team_id = ?", teamID).Order("created_at desc").Find(&out).Error
	return out, err
}

// TeamTemplate returns one of a team's templates (ErrNotFound for another team's).
func (s *Store) TeamTemplate(ctx context.Context, teamID, id string) (*TeamTemplate, error) {
	var t TeamTemplate
	if err := s.Read(ctx).First(&t, "team_id = ? AND id = ?", teamID, id).Error; err != nil {
		return nil, notFound(err)
	}
	return &t, nil
}

// DeleteTeamTemplate removes one of a team's templates.
func (s *Store) DeleteTeamTemplate(ctx context.Context, teamID, id string) error {
	res := s.Write(ctx).Delete(&TeamTemplate{}, "team_id = ? AND id = ?", teamID, id)
	if res.Error == nil && res.RowsAffected == 0 {
		return ErrNotFound
	}
	return res.Error
}
