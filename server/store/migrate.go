package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// migration is one numbered, forward-only change of the schema.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB) error
}

// migrations are applied in order, each once, each in its own transaction. Append only.
var migrations = []migration{
	{1, "initial tables", func(tx *gorm.DB) error { return tx.AutoMigrate(allModels()...) }},
	// Teams: flows, versions, events and runs get a team_id (empty until the first signup adopts
	// them, see CreateOwner), and the account tables appear.
	{2, "accounts and teams", func(tx *gorm.DB) error {
		return tx.AutoMigrate(append(allModels(), accountModels()...)...)
	}},
	{3, "team templates", func(tx *gorm.DB) error { return tx.AutoMigrate(&TeamTemplate{}) }},
	// Leases name their process, so that a heartbeat renews only its own and a process that lost
	// one cannot store over the process that took the event over.
	{4, "lease owner", func(tx *gorm.DB) error {
		if tx.Migrator().HasColumn(&Event{}, "LeaseOwner") { // created by migration 1 on a new database
			return nil
		}
		return tx.Migrator().AddColumn(&Event{}, "LeaseOwner")
	}},
	// One webhook, one journal row: attempts that a later attempt of the same webhook followed are
	// marked superseded; errors keep their code and params, and a failed attempt its retry time.
	{5, "runs grouped by webhook", func(tx *gorm.DB) error {
		for _, col := range []string{"ErrorCode", "ErrorParams", "RetryAt", "Superseded"} {
			if tx.Migrator().HasColumn(&Run{}, col) { // created by migration 1 on a new database
				continue
			}
			if err := tx.Migrator().AddColumn(&Run{}, col); err != nil {
				return err
			}
		}
		return tx.Exec(`UPDATE runs SET superseded = ? WHERE event_id <> '' AND EXISTS (SELECT 1 FROM runs later
			WHERE later.event_id = runs.event_id AND (later.started_at > runs.started_at OR (later.started_at = runs.started_at AND later.id > runs.id)))`, true).Error
	}},
}

type schemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

func (s *Store) migrate(ctx context.Context) error {
	db := s.Write(ctx)
	if err := db.AutoMigrate(&schemaMigration{}); err != nil {
		return err
	}
	var done []int
	if err := db.Model(&schemaMigration{}).Pluck("version", &done).Error; err != nil {
		return err
	}
	applied := map[int]bool{}
	for _, v := range done {
		applied[v] = true
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := m.up(tx); err != nil {
				return err
			}
			return tx.Create(&schemaMigration{Version: m.version, Name: m.name, AppliedAt: time.Now().UTC()}).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
	}
	return nil
}
