//go:build unix

package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockDataDir takes the data directory's lock (LockFileName, flock(2)), which `hookflow serve`
// holds while it serves from SQLite and `hookflow restore` while it replaces the database. The
// operating system drops the lock with the process, so a crashed server leaves none behind.
func LockDataDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFileName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w %s (a process holds the lock on %s): stop it first", ErrDataDirInUse, dir, path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	// The lock file names the process, for a person looking at it; the lock itself is the flock.
	_ = f.Truncate(0)
	_, _ = fmt.Fprintf(f, "%d\n", os.Getpid())
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		_ = f.Close()
	}, nil
}
