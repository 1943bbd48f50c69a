package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// SeedJournalOptions describe a made-up journal for measuring (`hookflow dev seed-journal`).
type SeedJournalOptions struct {
	FlowID, TeamID string
	N              int           // runs to insert, earlier attempts included
	Span           time.Duration // spread over this much time up to Now (default 60 days)
	Now            time.Time     // the newest run's time (default now)
	Seed           uint64        // the same seed makes the same journal
	// Progress, when set, is told how many runs are in after each transaction.
	Progress func(done int)
}

// seedColumns are the columns SeedJournal fills, in the order of seedRow's values.
var seedColumns = []string{"id", "team_id", "flow_id", "event_id", "status", "error", "failed_step", "trace", "test",
	"attempt", "started_at", "duration_ms", "error_code", "error_params", "retry_at", "superseded"}

// Seeded journals resemble a GetCourse → CPA.House flow's: mostly delivered, some stopped by the
// filter, some refused by the target for good, a few waiting for a retry, and some webhooks that
// took two or three attempts (the earlier ones superseded).
const (
	seedSuccessTrace  = `{"status":"success","steps":[{"node":"trigger","kind":"webhook","status":"success","duration_ms":0,"output":{"params":{"email":"%[1]s","phone":"+7916%07[2]d","first_name":"Анна","utm_source":"yandex"}}},{"node":"form","kind":"form_encode","status":"success","duration_ms":0,"output":{"body":"name=%%D0%%90%%D0%%BD%%D0%%BD%%D0%%B0&phone=7916%07[2]d&email=%[1]s&sub_id_1=yandex","content_type":"application/x-www-form-urlencoded"}},{"node":"send","kind":"http","status":"success","duration_ms":%[3]d,"request":{"method":"POST","url":"https://api.cpa.house/method/send_order","headers":{"Authorization":"••••••"}},"output":{"status":200,"json":{"status":"success","id":%[2]d}}}]}`
	seedFilteredTrace = `{"status":"filtered","steps":[{"node":"trigger","kind":"webhook","status":"success","duration_ms":0,"output":{"params":{"email":"","phone":"+7916%07[2]d","first_name":"Анна"}}},{"node":"has_email","kind":"filter","status":"filtered","duration_ms":0,"output":{"passed":false,"reason":"email is empty"}}]}`
	seedFailedTrace   = `{"status":"failed","error":"CPA.House answered 502","steps":[{"node":"trigger","kind":"webhook","status":"success","duration_ms":0,"output":{"params":{"email":"%[1]s","phone":"+7916%07[2]d","first_name":"Анна","utm_source":"yandex"}}},{"node":"form","kind":"form_encode","status":"success","duration_ms":0,"output":{"body":"name=%%D0%%90%%D0%%BD%%D0%%BD%%D0%%B0&phone=7916%07[2]d&email=%[1]s","content_type":"application/x-www-form-urlencoded"}},{"node":"send","kind":"http","status":"failed","duration_ms":%[3]d,"error":"CPA.House answered 502","request":{"method":"POST","url":"https://api.cpa.house/method/send_order"},"output":{"status":502,"body":"Bad Gateway"}}]}`
)

// seedRow is one run's values in seedColumns' order.
func seedRow(o *SeedJournalOptions, r *rand.Rand, webhook, attempt int, status string, at time.Time, retry *time.Time, superseded bool) []any {
	email := "user" + strconv.Itoa(webhook) + "@example.ru"
	took := int64(80 + r.IntN(400))
	var trace, msg, step string
	switch status {
	case "success":
		trace = fmt.Sprintf(seedSuccessTrace, email, webhook%10000000, took)
	case "filtered":
		trace = fmt.Sprintf(seedFilteredTrace, email, webhook%10000000, took)
		took = 1
	default:
		trace = fmt.Sprintf(seedFailedTrace, email, webhook%10000000, took)
		msg, step = "CPA.House answered 502", "send"
	}
	return []any{runID(at, r), o.TeamID, o.FlowID, "e" + strconv.Itoa(webhook), status, msg, step, trace, false,
		attempt, at, took, "", "", retry, superseded}
}

// runID is a UUIDv7 of the given time, as NewID makes at that moment.
func runID(at time.Time, r *rand.Rand) string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	binary.BigEndian.PutUint64(u[:8], uint64(at.UnixMilli())<<16|uint64(r.IntN(1<<12)))
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// SeedJournal inserts a made-up journal of o.N runs into one flow, oldest first, in
// multi-row INSERTs of a few thousand rows per transaction (a million takes about a minute).
// It is for measuring the journal at scale, never for a database in use.
func (s *Store) SeedJournal(ctx context.Context, o SeedJournalOptions) error {
	if o.Span <= 0 {
		o.Span = 60 * 24 * time.Hour
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC()
	db, err := s.write.DB()
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	const perInsert, perTx = 250, 5000
	step := o.Span / time.Duration(max(o.N, 1))
	rows := make([][]any, 0, perTx+3)
	done, webhook := 0, 0
	for done < o.N {
		rows = rows[:0]
		for len(rows) < perTx && done+len(rows) < o.N {
			webhook++
			at := o.Now.Add(-o.Span + time.Duration(done+len(rows))*step)
			left := o.N - done - len(rows)
			var status string
			var retry *time.Time
			switch p := r.IntN(1000); {
			case p < 60:
				status = "filtered"
			case p < 130:
				status = "failed"
			case p < 140 && o.Now.Sub(at) < 24*time.Hour:
				status = "failed" // waiting: will be tried again
				t := at.Add(10 * time.Minute)
				retry = &t
			default:
				status = "success"
			}
			// One webhook in twenty-five failed before it was delivered or given up on.
			earlier := 0
			if status != "filtered" && r.IntN(25) == 0 {
				earlier = min(1+r.IntN(2), left-1)
			}
			for a := 0; a < earlier; a++ {
				t := at.Add(time.Duration(a-earlier) * step / 4)
				next := t.Add(step / 4)
				rows = append(rows, seedRow(&o, r, webhook, a+1, "failed", t, &next, true))
			}
			rows = append(rows, seedRow(&o, r, webhook, earlier+1, status, at, retry, false))
		}
		if err := s.insertSeedRows(ctx, db, rows, perInsert); err != nil {
			return err
		}
		done += len(rows)
		if o.Progress != nil {
			o.Progress(done)
		}
	}
	if s.dialect == "postgres" {
		// Fresh statistics and visibility map, as autovacuum leaves them on a server in use.
		_, err = db.ExecContext(ctx, "VACUUM ANALYZE runs")
	}
	return err
}

// insertSeedRows inserts rows in one transaction, perInsert rows per statement.
func (s *Store) insertSeedRows(ctx context.Context, db *sql.DB, rows [][]any, perInsert int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var q strings.Builder
	for len(rows) > 0 {
		chunk := rows[:min(perInsert, len(rows))]
		rows = rows[len(chunk):]
		q.Reset()
		q.WriteString("INSERT INTO runs (" + strings.Join(seedColumns, ", ") + ") VALUES ")
		args := make([]any, 0, len(chunk)*len(seedColumns))
		for i, row := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteByte('(')
			for j := range row {
				if j > 0 {
					q.WriteByte(',')
				}
				if s.dialect == "postgres" {
					q.WriteString("$" + strconv.Itoa(len(args)+j+1))
				} else {
					q.WriteByte('?')
				}
			}
			q.WriteByte(')')
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("inserting runs: %w", err)
		}
	}
	return tx.Commit()
}
