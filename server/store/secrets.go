package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Storage side of secret encryption: rewriting stored documents and input values in place
// (sealing old plain values must not create flow versions), and the instance's settings.

// SetFlowSecrets rewrites a flow's document and input values without making a new version.
func (s *Store) SetFlowSecrets(ctx context.Context, id, document, inputs string) error {
	return s.Write(ctx).Model(&Flow{}).Where("id = ?", id).
		Updates(map[string]any{"document": document, "inputs": inputs}).Error
}

// VersionDocuments calls fn with every stored version (its id, team, flow and document), in
// batches.
func (s *Store) VersionDocuments(ctx context.Context, fn func(v FlowVersion) error) error {
	var last uint
	for {
		var batch []FlowVersion
		if err := s.Read(ctx).Select("id", "team_id", "flow_id", "version", "document").Where("id > ?", last).Order("id").Limit(200).Find(&batch).Error; err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, v := range batch {
			if err := fn(v); err != nil {
				return err
			}
			last = v.ID
		}
	}
}

// SetVersionDocument rewrites one stored version's document.
func (s *Store) SetVersionDocument(ctx context.Context, id uint, document string) error {
	return s.Write(ctx).Model(&FlowVersion{}).Where("id = ?", id).Update("document", document).Error
}

// Setting returns an instance-wide setting ("" and false when unset).
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var st Setting
	err := s.Read(ctx).First(&st, "key = ?", key).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	return st.Value, err == nil, err
}

// SetSettingIfAbsent stores a setting unless it exists (first process wins) and returns the
// stored value.
func (s *Store) SetSettingIfAbsent(ctx context.Context, key, value string) (string, error) {
	if err := s.Write(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&Setting{Key: key, Value: value}).Error; err != nil {
		return "", err
	}
	v, _, err := s.Setting(ctx, key)
	return v, err
}

// Compact makes the database file forget rows and values that were overwritten: after old plain
// secrets are sealed, their text would otherwise stay in free pages and in the write-ahead log.
// On SQLite it rebuilds the file (VACUUM) and empties the write-ahead log into it. On PostgreSQL
// it does nothing: the server reclaims old row versions itself (autovacuum), its files are not
// ours to read or copy, and VACUUM FULL would lock every table while it rewrites them.
func (s *Store) Compact(ctx context.Context) error {
	if s.dialect == "postgres" {
		return nil
	}
	db := s.Write(ctx)
	for _, stmt := range []string{"PRAGMA wal_checkpoint(TRUNCATE)", "VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if stmt == "VACUUM" {
			if err := db.Exec(stmt).Error; err != nil {
				return fmt.Errorf("compacting the database file: %w", err)
			}
			continue
		}
		var busy, logged, moved int
		if err := db.Raw(stmt).Row().Scan(&busy, &logged, &moved); err != nil {
			return fmt.Errorf("emptying the write-ahead log: %w", err)
		}
		if busy != 0 {
			return fmt.Errorf("emptying the write-ahead log: the database is busy (%d of %d pages written back)", moved, logged)
		}
	}
	return nil
}
