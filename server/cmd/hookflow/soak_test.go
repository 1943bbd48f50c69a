package main

import (
	"bufio"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // pg_database_size of a soak on PostgreSQL

	"github.com/hookflow/hookflow/server/core"
	"github.com/hookflow/hookflow/server/internal/testdb"
)

// retentionPassEvery is how often `hookflow serve` applies the retention of a flow that stored
// runs (core's pruneActiveEvery, which no flag changes): between two passes a flow's journal
// grows by that long of intake beyond the runs it keeps.
const retentionPassEvery = time.Minute

// soakRSSBoundMB is the resident memory the server must stay under (the aim at 1,000
// webhooks/s).
const soakRSSBoundMB = 200

// TestSoak is `make soak`: one `hookflow serve` (this test binary as the server, 16 workers) on
// a fresh SQLite database (PostgreSQL with HOOKFLOW_SOAK_DB=postgres), the workload of make
// bench (webhook → form_encode → HTTP POST to a local sink), and the load generator process
// paced at HOOKFLOW_SOAK_RATE webhooks/s over HOOKFLOW_SOAK_SENDERS senders for
// HOOKFLOW_SOAK_DURATION. Every HOOKFLOW_SOAK_EVERY it prints a line: webhooks sent and
// accepted, runs completed, the server's resident memory and the database's size. At the end it
// gives the bounds' verdict: the peak RSS against 200 MB, the RSS slope over the second half,
// and the database against what the flow's retention (HOOKFLOW_SOAK_RETENTION_COUNT runs,
// default 10,000; a pass every minute for a flow that stored runs) allows. It fails when RSS passes the bound or the
// database outgrows retention.
func TestSoak(t *testing.T) {
	if os.Getenv("HOOKFLOW_SOAK") == "" {
		t.Skip("a soak benchmark: make soak runs it")
	}
	duration := soakEnv(t, "HOOKFLOW_SOAK_DURATION", 10*time.Minute, time.ParseDuration)
	every := soakEnv(t, "HOOKFLOW_SOAK_EVERY", time.Minute, time.ParseDuration)
	rate := soakEnv(t, "HOOKFLOW_SOAK_RATE", 500.0, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) })
	senders := soakEnv(t, "HOOKFLOW_SOAK_SENDERS", 32, strconv.Atoi)
	keep := soakEnv(t, "HOOKFLOW_SOAK_RETENTION_COUNT", core.DefaultRetentionCount, strconv.Atoi)

	b := newRunsBench(t, duration)
	dataDir := t.TempDir()
	env := []string{"HOOKFLOW_WORKERS=16"}
	dbName := "SQLite"
	dbSize := func() float64 { return dirSizeMB(dataDir) }
	if os.Getenv("HOOKFLOW_SOAK_DB") == "postgres" {
		url := testdb.Options(t, "postgres").DatabaseURL
		env = append(env, "HOOKFLOW_DATABASE_URL="+url)
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		dbName = "PostgreSQL"
		dbSize = func() float64 {
			var n int64
			if err := db.QueryRow("SELECT pg_database_size(current_database())").Scan(&n); err != nil {
				t.Errorf("database size: %v", err)
			}
			return float64(n) / (1 << 20)
		}
	}
	addr, pid, stop := startBenchServer(t, dataDir, env)
	defer stop()
	token := signUp(t, addr)
	settings := fmt.Sprintf(`{"rate_limit":{"per_second":1000000,"burst":1000000},"retention_count":%d}`, keep)
	_, hookPath := createAndStart(t, addr, token, `{"document":`+b.flowDoc()+`,"settings":`+settings+`}`)

	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOOKFLOW_TEST_SUBPROCESS=load", "HOOKFLOW_LOAD_URLS="+addr+hookPath,
		"HOOKFLOW_LOAD_DURATION="+duration.String(), "HOOKFLOW_LOAD_SENDERS="+strconv.Itoa(senders),
		"HOOKFLOW_LOAD_RATE="+strconv.FormatFloat(rate, 'f', -1, 64), "HOOKFLOW_LOAD_PROGRESS="+every.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	db0 := dbSize()
	fmt.Printf("\nsoak: %s, %.0f webhooks/s paced over %d senders for %v, 16 workers, retention %d runs (a pass every %v); load average %s\n",
		dbName, rate, senders, duration, keep, retentionPassEvery, loadAverage())
	fmt.Printf("%8s %10s %10s %10s %9s %9s %8s %8s %8s %8s %8s %6s %9s\n", "elapsed", "sent", "accepted", "runs done",
		"accept/s", "runs/s", "missed", "p99 ms", "RSS MB", "DB MB", "backlog", "load", "CPU ms/wh")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var samples []soakSample
	var final, paced string
	prev := soakSample{cpu: cpuSeconds([]int{pid})} // the server at rest before the load
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		f := strings.Fields(line)
		switch {
		case len(f) == 7 && f[0] == "progress":
			s := soakSample{runs: b.hits.Load(), rssMB: residentMB(pid), dbMB: dbSize(), cpu: cpuSeconds([]int{pid})}
			s.at, _ = strconv.ParseFloat(f[1], 64)
			s.sent, _ = strconv.ParseInt(f[2], 10, 64)
			s.accepted, _ = strconv.ParseInt(f[3], 10, 64)
			s.missed, _ = strconv.ParseInt(f[5], 10, 64)
			p99, _ := strconv.ParseFloat(f[6], 64)
			dt := s.at - prev.at
			// The server's CPU time (user + system) in the interval per webhook accepted in it.
			cpuPer := 1000 * (s.cpu - prev.cpu) / float64(max(s.accepted-prev.accepted, 1))
			fmt.Printf("%8s %10d %10d %10d %9.0f %9.0f %8d %8.1f %8.1f %8.1f %8d %6s %9.3f\n",
				(time.Duration(s.at) * time.Second).String(), s.sent, s.accepted, s.runs,
				float64(s.accepted-prev.accepted)/dt, float64(s.runs-prev.runs)/dt, s.missed, p99,
				s.rssMB, s.dbMB, s.accepted-s.runs, strings.Fields(loadAverage())[0], cpuPer)
			samples = append(samples, s)
			prev = s
		case len(f) > 0 && f[0] == "load":
			final = line
		case len(f) > 0 && f[0] == "paced":
			paced = line
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("load generator: %v", err)
	}
	var accepts, p99, target, sentRate float64
	var errs, missed, accepted int64
	if _, err := fmt.Sscanf(final, "load %g %g %d", &accepts, &p99, &errs); err != nil {
		t.Fatalf("load generator said %q: %v", final, err)
	}
	if _, err := fmt.Sscanf(paced, "paced %g %g %d %d", &target, &sentRate, &missed, &accepted); err != nil {
		t.Fatalf("load generator said %q: %v", paced, err)
	}
	if len(samples) == 0 {
		t.Fatal("no progress line in the run: make HOOKFLOW_SOAK_EVERY shorter than the duration")
	}
	// The runs still queued when the webhooks stop: how long the workers take to catch up.
	last := samples[len(samples)-1]
	loadEnd := time.Now()
	drained := "not within 2 minutes"
	for deadline := loadEnd.Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b.hits.Load() >= accepted {
			drained = time.Since(loadEnd).Round(100 * time.Millisecond).String()
			break
		}
	}
	endRSS, peak, endDB := residentMB(pid), peakRSSMB(pid), dbSize()
	fmt.Printf("end: %.1f webhooks/s accepted (target %.0f, sent %.1f/s, %d missed = %.2f%% short), p99 %.1f ms, %d not answered 2xx; %d accepted, %d runs completed, caught up %s after the load\n",
		accepts, target, sentRate, missed, 100*float64(missed)/(target*duration.Seconds()), p99, errs, accepted, b.hits.Load(), drained)
	fmt.Printf("load average %s\n", loadAverage())

	// Memory: the peak against the bound, and the slope over the second half (least squares).
	var maxRSS float64
	for _, s := range samples {
		maxRSS = max(maxRSS, s.rssMB)
	}
	half := samples[len(samples)/2:]
	slope := rssSlopePerMinute(half)
	flat := slope*60 < 0.1*soakRSSBoundMB
	fmt.Printf("memory: RSS at most %.1f MB in the samples, peak (VmHWM) %.1f MB, %.1f MB at the end; bound %d MB: %s\n",
		maxRSS, peak, endRSS, soakRSSBoundMB, verdict(peak < soakRSSBoundMB))
	// Where the slope would take it by the end of an hour of load (the soak).
	hour := last.rssMB + max(slope, 0)*max(60-last.at/60, 0)
	fmt.Printf("        slope over the second half (%d samples from %v): %+.2f MB/min, %+.0f MB an hour: %s; at that slope %.0f MB after an hour: %s\n",
		len(half), time.Duration(half[0].at)*time.Second, slope, slope*60,
		map[bool]string{true: "flat (under 10% of the bound an hour)", false: "growing"}[flat], hour, verdict(hour < soakRSSBoundMB))
	if peak >= soakRSSBoundMB {
		t.Errorf("RSS peaked at %.1f MB, over the bound of %d MB", peak, soakRSSBoundMB)
	}

	// The database: growth per accepted webhook before retention's first pass, and what retention
	// allows at this rate: the runs kept plus a pass interval of intake (and their webhooks).
	var maxDB float64
	for _, s := range samples {
		maxDB = max(maxDB, s.dbMB)
	}
	first := samples[0]
	perWebhookKB := (first.dbMB - db0) * 1024 / float64(max(first.accepted, 1))
	for _, s := range samples {
		if time.Duration(s.at)*time.Second < retentionPassEvery && s.accepted > 0 {
			perWebhookKB = (s.dbMB - db0) * 1024 / float64(s.accepted)
		}
	}
	growth := 0.0
	if last.at > first.at {
		growth = (last.dbMB - first.dbMB) / ((last.at - first.at) / 60)
	}
	allowedMB := db0 + perWebhookKB*(float64(keep)+rate*(retentionPassEvery+every).Seconds())/1024
	fmt.Printf("database: %.1f MB at the start, at most %.1f MB, %.1f MB at the end; %.2f KB per accepted webhook, %+.1f MB/min over the run\n",
		db0, maxDB, endDB, perWebhookKB, growth)
	// A pass shows as the size falling, over one sample or more when it takes longer.
	passes, falling := 0, false
	for i := 1; i < len(samples); i++ {
		fell := samples[i].dbMB < samples[i-1].dbMB*0.9
		if fell && !falling {
			passes++
		}
		falling = fell
	}
	if duration < retentionPassEvery+every {
		fmt.Printf("          retention: no pass within %v (one runs every %v, fixed in the server); it would allow about %.0f MB at this rate (%d runs kept + %v of intake); the run reached %.0f%% of it\n",
			duration, retentionPassEvery, allowedMB, keep, retentionPassEvery+every, 100*maxDB/allowedMB)
	} else {
		fmt.Printf("          retention: %d passes seen (the size fell); it allows about %.0f MB at this rate (%d runs kept + %v of intake): %s\n",
			passes, allowedMB, keep, retentionPassEvery+every, verdict(maxDB <= allowedMB))
		if maxDB > allowedMB {
			t.Errorf("the database reached %.1f MB, over the %.0f MB its retention allows at this rate", maxDB, allowedMB)
		}
	}
}

type soakSample struct {
	at                           float64 // seconds since the load began
	sent, accepted, missed, runs int64
	rssMB, dbMB                  float64
	cpu                          float64 // the server's CPU seconds so far
}

func soakEnv[T any](t *testing.T, name string, def T, parse func(string) (T, error)) T {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := parse(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

// residentMB reads a process's resident memory now (VmRSS) in MB.
func residentMB(pid int) float64 { return procStatusMB(pid, "VmRSS") }

// dirSizeMB adds up the files under dir: SQLite's database, its -wal and -shm.
func dirSizeMB(dir string) float64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return float64(n) / (1 << 20)
}

// rssSlopePerMinute fits RSS = a + b·t by least squares and returns b in MB per minute.
func rssSlopePerMinute(s []soakSample) float64 {
	if len(s) < 2 {
		return 0
	}
	var st, sr, stt, str float64
	for _, x := range s {
		m := x.at / 60
		st, sr, stt, str = st+m, sr+x.rssMB, stt+m*m, str+m*x.rssMB
	}
	n := float64(len(s))
	return (n*str - st*sr) / (n*stt - st*st)
}

func loadAverage() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func verdict(ok bool) string {
	if ok {
		return "within"
	}
	return "OVER"
}
