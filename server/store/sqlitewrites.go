package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// sqliteWrites are the statements of the busiest writes on SQLite — a webhook stored, a run
// stored and its event moved on — prepared once on the one write connection and run a row at a
// time inside the batch's transaction. Multi-row statements of every batch length would be
// prepared anew in each transaction (a prepared statement outlives a transaction only when it
// was prepared outside one), and SQLite runs a prepared one-row statement in a few microseconds.
// The inserts' columns come from the models, so a column added to Event or Run is written here
// too.
type sqliteWrites struct {
	db          *sql.DB
	insertEvent rowInsert
	insertRun   rowInsert
	supersede   *sql.Stmt // an event's earlier runs step back behind the new one
	finish      *sql.Stmt // the event's attempt is over: done or failed
	retry       *sql.Stmt // the event goes back to the queue until next_at
}

// rowInsert inserts one row of a model with every column it has.
type rowInsert struct {
	stmt   *sql.Stmt
	fields []*schema.Field
}

func prepareSQLiteWrites(g *gorm.DB) (*sqliteWrites, error) {
	db, err := g.DB()
	if err != nil {
		return nil, err
	}
	w := &sqliteWrites{db: db}
	if w.insertEvent, err = prepareRowInsert(g, db, &Event{}); err != nil {
		return nil, err
	}
	if w.insertRun, err = prepareRowInsert(g, db, &Run{}); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.supersede, "UPDATE runs SET superseded = true WHERE event_id = ? AND superseded = false"},
		{&w.finish, "UPDATE events SET status = ?, lease_until = NULL, lease_owner = '', attempts = attempts + ? WHERE id = ?"},
		{&w.retry, "UPDATE events SET status = '" + EventQueued + "', next_at = ?, lease_until = NULL, lease_owner = '', attempts = attempts + ? WHERE id = ?"},
	} {
		if *s.stmt, err = db.Prepare(s.sql); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func prepareRowInsert(g *gorm.DB, db *sql.DB, model any) (rowInsert, error) {
	st := &gorm.Statement{DB: g}
	if err := st.Parse(model); err != nil {
		return rowInsert{}, err
	}
	var r rowInsert
	var cols []string
	for _, f := range st.Schema.Fields {
		if f.DBName == "" || !f.Creatable {
			continue
		}
		if f.Serializer != nil || f.AutoCreateTime > 0 || f.AutoUpdateTime > 0 {
			// GORM's Create would fill or convert these; the row is written as it is here.
			return rowInsert{}, fmt.Errorf("%s.%s is serialized or timestamped by GORM: write it in prepareRowInsert too", st.Schema.Name, f.Name)
		}
		r.fields = append(r.fields, f)
		cols = append(cols, `"`+f.DBName+`"`)
	}
	q := "INSERT INTO " + st.Schema.Table + " (" + strings.Join(cols, ",") + ") VALUES (" +
		strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	var err error
	r.stmt, err = db.Prepare(q)
	return r, err
}

func (w *sqliteWrites) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{w.insertEvent.stmt, w.insertRun.stmt, w.supersede, w.finish, w.retry} {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// exec inserts row (a pointer to the model) with the statement as bound to a transaction.
func (r rowInsert) exec(ctx context.Context, stmt *sql.Stmt, row any) error {
	v := reflect.ValueOf(row).Elem()
	args := make([]any, len(r.fields))
	for i, f := range r.fields {
		args[i], _ = f.ValueOf(ctx, v)
	}
	_, err := stmt.ExecContext(ctx, args...)
	return err
}

// tx runs fn in one write transaction (BEGIN IMMEDIATE on this connection). The context is
// not one that can be canceled: with one, the SQLite driver runs every statement on a goroutine
// of its own to watch for the cancelation, and the writer — which everything waits for — would
// queue behind the busy workers for each statement. A statement stuck on the disk could not be
// interrupted anyway.
func (w *sqliteWrites) tx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := w.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(ctx, tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// insertEvents is InsertEvents's work inside a transaction.
func (w *sqliteWrites) insertEvents(ctx context.Context, tx *sql.Tx, events []*Event) error {
	if len(events) == 0 {
		return nil
	}
	stmt := tx.StmtContext(ctx, w.insertEvent.stmt)
	for _, ev := range events {
		if err := w.insertEvent.exec(ctx, stmt, ev); err != nil {
			return err
		}
	}
	return nil
}

// finishEvents is FinishEvents's work inside a transaction.
func (w *sqliteWrites) finishEvents(ctx context.Context, tx *sql.Tx, batch []Finish) error {
	if len(batch) == 0 {
		return nil
	}
	var insert, supersede, finish, retry *sql.Stmt
	for _, f := range batch {
		if r := f.Run; r != nil {
			if r.EventID != "" {
				if supersede == nil {
					supersede = tx.StmtContext(ctx, w.supersede)
				}
				if _, err := supersede.ExecContext(ctx, r.EventID); err != nil {
					return err
				}
			}
			if insert == nil {
				insert = tx.StmtContext(ctx, w.insertRun.stmt)
			}
			if err := w.insertRun.exec(ctx, insert, r); err != nil {
				return err
			}
		}
		counted := 1
		if f.Claimed {
			counted = 0 // ClaimEvent counted the attempt
		}
		var err error
		if f.RetryAt.IsZero() {
			if finish == nil {
				finish = tx.StmtContext(ctx, w.finish)
			}
			_, err = finish.ExecContext(ctx, f.Status, counted, f.EventID)
		} else {
			if retry == nil {
				retry = tx.StmtContext(ctx, w.retry)
			}
			_, err = retry.ExecContext(ctx, f.RetryAt.UTC(), counted, f.EventID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
