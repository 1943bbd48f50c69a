package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
)

// runsBench measures completed runs of the workload of BenchmarkRunsEndToEnd (webhook →
// form_encode → HTTP POST to a local sink) against real `hookflow serve` processes, with the
// webhooks sent by a load generator process of its own (loadMain).
type runsBench struct {
	t      *testing.T
	window time.Duration
	hits   atomic.Int64
	sink   *httptest.Server
	// profileDir, when set, receives a CPU profile of the first process taken during the window.
	profileDir string
	// stopped leaves the flow stopped: its webhooks are stored as samples and none is run (the
	// intake alone).
	stopped bool
}

type benchResult struct {
	name    string
	procs   int
	runs    float64 // completed runs/s
	accepts float64 // webhooks answered 2xx per second
	p99     float64 // ms
	errors  int
	healthz float64 // /healthz answers per second, same generator, same run
	rssMB   float64 // the first process's peak resident memory
	// cpuPerRun is the servers' CPU time (user + system) per completed run in the window, in
	// ms: a figure that other work on the machine moves far less than the rates.
	cpuPerRun float64
}

// benchServerEnv is the servers' settings: 16 workers, and what HOOKFLOW_BENCH_ENV adds or
// overrides (HOOKFLOW_WORKERS=4, HOOKFLOW_SQLITE_SYNCHRONOUS=NORMAL, …) for comparisons.
func benchServerEnv() []string {
	return append([]string{"HOOKFLOW_WORKERS=16"}, strings.Fields(os.Getenv("HOOKFLOW_BENCH_ENV"))...)
}

// benchWorkers is the number of workers a server runs with benchServerEnv (the last setting wins).
func benchWorkers() string {
	n := ""
	for _, kv := range benchServerEnv() {
		if v, ok := strings.CutPrefix(kv, "HOOKFLOW_WORKERS="); ok {
			n = v
		}
	}
	return n
}

func newRunsBench(t *testing.T, window time.Duration) *runsBench {
	b := &runsBench{t: t, window: window, profileDir: os.Getenv("HOOKFLOW_BENCH_PROFILE")}
	b.sink = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		b.hits.Add(1)
		_, _ = w.Write([]byte(`{"status":"success"}`))
	}))
	t.Cleanup(b.sink.Close)
	return b
}

func (b *runsBench) flowDoc() string {
	return `{"schema":1,"name":"bench","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"},{"key":"email","value":"{{trigger.params.email}}"},{"key":"phone","value":"{{trigger.params.phone | digits}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + b.sink.URL + `/lead","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`
}

// measure starts procs processes on a fresh database of dialect, measures /healthz of the first
// for a third of the window, then sends webhooks for the window plus a second of warm-up and
// counts the runs the sink received after that second.
func (b *runsBench) measure(name, dialect string, procs int) benchResult {
	t := b.t
	env := benchServerEnv()
	if dialect == "postgres" {
		env = append(env, "HOOKFLOW_DATABASE_URL="+testdb.Options(t, "postgres").DatabaseURL)
	}
	dataDir := t.TempDir() // the processes share the secret key there
	var addrs []string
	var pids []int
	var debugAddr string
	for i := 0; i < procs; i++ {
		e := env
		if i == 0 && b.profileDir != "" {
			debugAddr = freeAddr(t)
			e = append(append([]string{}, env...), "HOOKFLOW_DEBUG_ADDR="+debugAddr)
		}
		addr, pid, stop := startBenchServer(t, dataDir, e)
		defer stop() // a configuration's processes do not run beside the next one's
		addrs = append(addrs, addr)
		pids = append(pids, pid)
	}
	token := signUp(t, addrs[0])
	create := `{"document":` + b.flowDoc() + `,"settings":{"rate_limit":{"per_second":1000000,"burst":1000000}}}`
	resp, err := postAs(token, addrs[0]+"/api/flows", create)
	if err != nil {
		t.Fatal(err)
	}
	var flow struct {
		ID         string `json:"id"`
		WebhookURL string `json:"webhook_url"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&flow); err != nil || flow.ID == "" {
		t.Fatalf("create flow: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	if b.stopped {
	} else if resp, err := postAs(token, addrs[0]+"/api/flows/"+flow.ID+"/start", ""); err != nil || resp.StatusCode != 200 {
		t.Fatalf("start: %v", err)
	}
	hookPath := flow.WebhookURL[strings.Index(flow.WebhookURL, "/hook/"):]
	var urls []string
	for _, a := range addrs {
		urls = append(urls, a+hookPath)
	}
	// The ceiling: the same load on /healthz of the first process, before the webhooks.
	healthz := runLoad(t, []string{addrs[0] + "/healthz"}, b.window/3).rate
	// Completed runs are counted from the second second on: the first warms the processes.
	done := make(chan loadResult, 1)
	go func() { done <- runLoad(t, urls, b.window+time.Second) }()
	time.Sleep(time.Second)
	profiled := make(chan struct{})
	if debugAddr != "" {
		go func() {
			defer close(profiled)
			b.profile(debugAddr, strings.NewReplacer(" ", "-", ",", "").Replace(strings.ToLower(name)))
		}()
	} else {
		close(profiled)
	}
	c0, t0, cpu0 := b.hits.Load(), time.Now(), cpuSeconds(pids)
	lr := <-done
	c1, t1, cpu1 := b.hits.Load(), time.Now(), cpuSeconds(pids)
	<-profiled
	return benchResult{name: name, procs: procs, runs: float64(c1-c0) / t1.Sub(t0).Seconds(),
		accepts: lr.rate, p99: lr.p99, errors: lr.errors, healthz: healthz, rssMB: peakRSSMB(pids[0]),
		cpuPerRun: 1000 * (cpu1 - cpu0) / float64(max(c1-c0, 1))}
}

// profile saves a CPU profile of the window (less a second) from the process's debug address.
func (b *runsBench) profile(debugAddr, name string) {
	secs := max(int(b.window/time.Second)-1, 1)
	resp, err := http.Get("http://" + debugAddr + "/debug/pprof/profile?seconds=" + strconv.Itoa(secs))
	if err != nil {
		b.t.Errorf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		b.t.Errorf("profile: %d %v", resp.StatusCode, err)
		return
	}
	path := filepath.Join(b.profileDir, name+".cpu.pprof")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.t.Errorf("profile: %v", err)
		return
	}
	fmt.Printf("CPU profile of %s: %s\n", name, path)
}

// peakRSSMB reads a process's peak resident memory (VmHWM) in MB, or 0 where /proc has none.
func peakRSSMB(pid int) float64 { return procStatusMB(pid, "VmHWM") }

// procStatusMB reads a memory figure of a process (VmRSS, VmHWM, …) from /proc/<pid>/status, in
// MB; 0 where /proc has none.
func procStatusMB(pid int, field string) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == field+":" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// cpuSeconds sums the user and system CPU time of processes, from /proc/<pid>/stat.
func cpuSeconds(pids []int) float64 {
	total := 0.0
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// The fields after the command's closing parenthesis; utime and stime are the 12th and
		// 13th of them, in clock ticks (100 a second on Linux).
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseFloat(f[11], 64)
			s, _ := strconv.ParseFloat(f[12], 64)
			total += (u + s) / 100
		}
	}
	return total
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestBenchOneMachine is `make bench`'s line for the whole service on one machine: SQLite, one
// `hookflow serve` process, a load generator process with 32 senders, workers running while the
// webhooks arrive and the journal keeping every run's trace. It prints completed runs/s and
// accepted webhooks/s as ratios to the /healthz rate of the same run, p99 and peak RSS, against
// the targets (≥ 2,500 runs/s, accepts ≥ 0.3 of /healthz, p99 < 20 ms, RSS < 100 MB).
func TestBenchOneMachine(t *testing.T) {
	if os.Getenv("HOOKFLOW_BENCH_RUNS") == "" {
		t.Skip("a benchmark: make bench runs it")
	}
	seconds := 15
	if n, err := strconv.Atoi(os.Getenv("HOOKFLOW_BENCH_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	b := newRunsBench(t, time.Duration(seconds)*time.Second)
	r := b.measure("SQLite, 1 process", "sqlite", 1)
	// The same webhooks to the flow stopped: each is stored (as a sample) and answered, none is
	// run. What the intake alone reaches on these cores, beside what it reaches sharing them with
	// the runs.
	b.stopped = true
	intake := b.measure("intake alone", "sqlite", 1) // the flow stopped
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nbench one machine: %d s, 32 senders in a process of their own, %s workers; load average %s\n", seconds, benchWorkers(), strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("%-18s %10s %10s %11s %10s %10s %8s %8s %12s\n", "configuration", "runs/s", "accepts/s", "/healthz/s", "runs ÷ hz", "acc ÷ hz", "p99 ms", "RSS MB", "CPU ms/run")
	fmt.Printf("%-18s %10.0f %10.0f %11.0f %10.3f %10.3f %8.1f %8.0f %12.3f\n", r.name, r.runs, r.accepts, r.healthz, r.runs/r.healthz, r.accepts/r.healthz, r.p99, r.rssMB, r.cpuPerRun)
	fmt.Printf("%-18s %10s %10.0f %11.0f %10s %10.3f %8.1f %8.0f %12s\n", intake.name, "—", intake.accepts, intake.healthz, "—", intake.accepts/intake.healthz, intake.p99, intake.rssMB, "—")
	fmt.Printf("targets: runs ≥ 2500/s, accepts ≥ 0.3 of /healthz while the workers run, p99 < 20 ms, RSS < 100 MB\n")
	for _, x := range []benchResult{r, intake} {
		if x.errors > 0 {
			fmt.Printf("  (%s: %d webhooks were not answered 2xx)\n", x.name, x.errors)
		}
	}
}
