package store

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// ScheduledFlows lists the active flows whose document has a node of one of the kinds given
// (the triggers fired by the clock). The documents are read again by the caller: the match here
// only narrows the list.
func (s *Store) ScheduledFlows(ctx context.Context, kinds []string) ([]Flow, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	var like []string
	var args []any
	for _, k := range kinds {
		kindJSON, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		like = append(like, "document LIKE ?")
		args = append(args, `%"kind":`+string(kindJSON)+`%`)
	}
	var out []Flow
	err := s.Read(ctx).Where("active = ?", true).Where("("+strings.Join(like, " OR ")+")", args...).Find(&out).Error
	return out, err
}

// LatestEvent is a flow's newest event (ErrNotFound when it has none).
func (s *Store) LatestEvent(ctx context.Context, flowID string) (*Event, error) {
	var ev Event
	err := s.Read(ctx).Where("flow_id = ?", flowID).Order("received_at desc").Limit(1).Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &ev, err
}

// InsertOnce stores an event unless one with its id exists, and reports whether it stored it:
// processes that enqueue the same schedule tick under the same id leave exactly one event, with
// no lock between them.
func (s *Store) InsertOnce(ctx context.Context, ev *Event) (bool, error) {
	res := s.Write(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoNothing: true}).Create(ev)
	return res.RowsAffected == 1, res.Error
}
