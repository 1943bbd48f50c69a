package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/hookflow/hookflow/server/secrets"
	"github.com/hookflow/hookflow/server/store"
)

// backupFlags are the flags of backup and restore: where the database is, as for serve.
func backupFlags(name string, args []string, stderr io.Writer) (file, dataDir, dbURL string, err error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data-dir", "./data", "directory of the built-in SQLite database (HOOKFLOW_DATA_DIR)")
	u := fs.String("database-url", "", "postgres://… when the database is PostgreSQL (HOOKFLOW_DATABASE_URL)")
	if err := fromEnvironment(fs); err != nil {
		return "", "", "", err
	}
	rest, err := parseInterleaved(fs, args)
	if err != nil {
		return "", "", "", err
	}
	if len(rest) == 1 {
		file = rest[0]
	}
	if file == "" {
		return "", "", "", fmt.Errorf("give the backup file: hookflow %s FILE", name)
	}
	return file, *dir, *u, nil
}

// withoutPassword is a database URL fit to print: the password is left to PGPASSWORD or ~/.pgpass.
func withoutPassword(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "postgres://…"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

const keyNote = "The secret key that encrypts the flows' API keys is not in the backup: keep a copy of %s apart from it (or of HOOKFLOW_SECRET_KEY); a restored database's secrets open only with that key.\n"

// backupCommand runs backup or restore: it reads the command's flags; on PostgreSQL it says what
// does the work there (note on stderr, the command line from pgCommand on stdout) and fails; on
// the built-in SQLite database it runs sqlite with the file and the data folder.
func backupCommand(name string, args []string, stdout, stderr io.Writer, note string,
	pgCommand func(file, dbURL string) string, sqlite func(file, dir string) error) int {
	file, dir, dbURL, err := backupFlags(name, args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, err)
		return 2
	}
	if dbURL != "" {
		fmt.Fprintln(stderr, note)
		fmt.Fprintln(stdout, pgCommand(file, withoutPassword(dbURL)))
		return 1
	}
	if err := sqlite(file, dir); err != nil {
		fmt.Fprintln(stderr, "hookflow:", err)
		return 1
	}
	return 0
}

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return backupCommand("backup", args, stdout, stderr,
		"hookflow backs up only its built-in SQLite database. Back up PostgreSQL with pg_dump, while hookflow serves (password from PGPASSWORD or ~/.pgpass):",
		func(file, dbURL string) string {
			return fmt.Sprintf("pg_dump --format=custom --file=%s '%s'", shellQuote(file), dbURL)
		},
		func(file, dir string) error {
			if err := store.BackupSQLite(ctx, dir, file); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "backed up %s to %s\n", filepath.Join(dir, "hookflow.db"), file)
			fmt.Fprintf(stdout, keyNote, filepath.Join(dir, secrets.KeyFileName))
			return nil
		})
}

func cmdRestore(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return backupCommand("restore", args, stdout, stderr,
		"hookflow restores only its built-in SQLite database. Stop every hookflow process, then restore a pg_dump backup into the database with pg_restore:",
		func(file, dbURL string) string {
			return fmt.Sprintf("pg_restore --clean --if-exists --no-owner --dbname='%s' %s", dbURL, shellQuote(file))
		},
		func(file, dir string) error {
			kept, err := store.RestoreSQLite(ctx, file, dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "restored %s into %s\n", file, filepath.Join(dir, "hookflow.db"))
			if kept != "" {
				fmt.Fprintf(stdout, "the database that was there is kept as %s (delete it once the restored one serves well)\n", kept)
			}
			fmt.Fprintf(stdout, "start hookflow with the secret key the backup was made with (%s or HOOKFLOW_SECRET_KEY)\n", filepath.Join(dir, secrets.KeyFileName))
			return nil
		})
}

// shellQuote quotes a file name for a shell command line when it needs it.
func shellQuote(s string) string {
	for _, r := range s {
		if !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "'" + strings.ReplaceAll(s, "'", `'\\''`) + "'"
		}
	}
	return s
}

// parseInterleaved parses flags that may come before, between or after the positional
// arguments, which it returns.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
