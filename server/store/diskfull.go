package store

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
)

// IsDiskFull reports whether a write failed because the database's disk (or its size limit)
// is full: nothing of that write is stored, and the same write succeeds once there is room.
func IsDiskFull(err error) bool {
	if err == nil {
		return false
	}
	var lite sqlite3.Error
	if errors.As(err, &lite) {
		return lite.Code == sqlite3.ErrFull
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "53100" // disk_full
	}
	return errors.Is(err, syscall.ENOSPC)
}

// ProbeWrite commits a write of size bytes and deletes it: whether the database can take a
// webhook of that size right now.
func (s *Store) ProbeWrite(ctx context.Context, size int) error {
	const key = "store.probe"
	probe := Setting{Key: key, Value: time.Now().UTC().Format(time.RFC3339Nano) + strings.Repeat(" ", size)}
	if err := s.Write(ctx).Save(&probe).Error; err != nil {
		return err
	}
	return s.Write(ctx).Delete(&Setting{}, "key = ?", key).Error
}
