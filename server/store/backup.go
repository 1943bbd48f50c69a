package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Backups of the built-in SQLite database. A backup is one SQLite file made by VACUUM INTO: a
// consistent snapshot taken in a read transaction, so the server goes on taking webhooks while
// it is written (WAL lets the writer work beside the reader). The secret key that encrypts the
// flows' API keys is not in it: it stays in the data directory (or HOOKFLOW_SECRET_KEY), and the
// restored database's secrets open with the key they were stored under.

// ErrDataDirInUse is returned when a hookflow server holds the data directory's lock.
var ErrDataDirInUse = errors.New("a hookflow server is using the data directory")

// LockFileName is the file in the data directory that `hookflow serve` holds locked (an advisory
// lock of the operating system, released when the process ends, even by kill -9).
const LockFileName = "hookflow.lock"

// BackupSQLite writes a consistent copy of the SQLite database in dataDir to file, which must not
// exist yet. It works while a server is serving from dataDir.
func BackupSQLite(ctx context.Context, dataDir, file string) error {
	src := sqlitePath(Options{DataDir: dataDir})
	if err := requireHookflowSQLite(ctx, src); err != nil {
		return err
	}
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("%s exists already: give the backup a new file name", file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+src+"?_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", abs); err != nil {
		_ = os.Remove(abs)
		return fmt.Errorf("writing the backup %s: %w", file, err)
	}
	return nil
}

// RestoreSQLite puts the backup file in place of dataDir's database. It refuses while a server
// holds the data directory (see LockDataDir), and refuses a file that is not a hookflow
// database. The database it replaces is not deleted: it is renamed to hookflow.db.before-restore-…
// (with its -wal and -shm files), and that name is returned ("" when there was none).
func RestoreSQLite(ctx context.Context, file, dataDir string) (kept string, err error) {
	if err := requireHookflowSQLite(ctx, file); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", fmt.Errorf("creating the data directory: %w", err)
	}
	unlock, err := LockDataDir(dataDir)
	if err != nil {
		return "", err
	}
	defer unlock()
	dst := sqlitePath(Options{DataDir: dataDir})
	tmp := dst + ".restoring"
	if err := copyFile(file, tmp); err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("copying %s into %s: %w", file, dataDir, err)
	}
	if _, err := os.Stat(dst); err == nil {
		kept = dst + ".before-restore-" + time.Now().UTC().Format("20060102-150405")
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Rename(dst+suffix, kept+suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
				_ = os.Remove(tmp)
				return "", fmt.Errorf("keeping the current database aside: %w", err)
			}
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return kept, err
	}
	return kept, syncDir(dataDir)
}

// requireHookflowSQLite refuses a file that is missing, not SQLite, damaged or another
// application's.
func requireHookflowSQLite(ctx context.Context, path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if info.IsDir() || info.Size() == 0 {
		return fmt.Errorf("%s is not a hookflow database (it is empty or a directory)", path)
	}
	if err := refuseForeignSQLite(ctx, path); err != nil {
		return err
	}
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return err
	}
	defer db.Close()
	if !madeByHookflow(ctx, db) {
		return fmt.Errorf("%s is not a hookflow database (it has no hookflow schema)", path)
	}
	var check string
	if err := db.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
		return fmt.Errorf("%s is damaged (%s %v): use another backup", path, check, err)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close() //nolint:errcheck // read only
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	return errors.Join(out.Sync(), out.Close())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close() //nolint:errcheck // a directory opened to sync it
	if err := d.Sync(); err != nil && !strings.Contains(err.Error(), "invalid argument") {
		return err
	}
	return nil
}
