package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/internal/testdb"
)

// `make bench-pg`: completed runs/s of 1, 2 and 3 `hookflow serve` processes on one PostgreSQL
// database, as ratios to one process, and SQLite against PostgreSQL for one process, with the
// /healthz rate of the same run as the ceiling. Every configuration gets a fresh database and
// the same workload as BenchmarkRunsEndToEnd (webhook → form_encode → HTTP POST to a local sink,
// 16 workers a process) from a load generator in a process of its own (this test binary, see
// loadMain) with 32 senders spread over the processes, for a fixed time. The servers are
// HOOKFLOW_BIN when set (make bench-pg builds bin/hookflow when it is missing), else this test
// binary as `hookflow serve`.
func TestBenchPostgresScaling(t *testing.T) {
	if os.Getenv("HOOKFLOW_BENCH_PG") == "" {
		t.Skip("a benchmark: make bench-pg runs it")
	}
	if os.Getenv("HOOKFLOW_TEST_POSTGRES") == "" {
		t.Skip("set HOOKFLOW_TEST_POSTGRES=1 (PostgreSQL on 127.0.0.1:5432)")
	}
	seconds := 15
	if n, err := strconv.Atoi(os.Getenv("HOOKFLOW_BENCH_SECONDS")); err == nil && n > 0 {
		seconds = n
	}
	window := time.Duration(seconds) * time.Second

	var hits atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		hits.Add(1)
		_, _ = w.Write([]byte(`{"status":"success"}`))
	}))
	defer sink.Close()
	flowDoc := `{"schema":1,"name":"bench","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"},{"key":"email","value":"{{trigger.params.email}}"},{"key":"phone","value":"{{trigger.params.phone | digits}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"` + sink.URL + `/lead","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`

	type result struct {
		name    string
		procs   int
		runs    float64 // completed runs/s
		accepts float64 // webhooks answered 2xx per second
		p99     float64 // ms
		errors  int
		healthz float64
	}
	measure := func(name, dialect string, procs int) result {
		env := []string{"HOOKFLOW_WORKERS=16"}
		if dialect == "postgres" {
			env = append(env, "HOOKFLOW_DATABASE_URL="+testdb.Options(t, "postgres").DatabaseURL)
		}
		dataDir := t.TempDir() // the processes share the secret key there
		var addrs []string
		for i := 0; i < procs; i++ {
			addr, stop := startBenchServer(t, dataDir, env)
			defer stop() // a configuration's processes do not run beside the next one's
			addrs = append(addrs, addr)
		}
		token := signUp(t, addrs[0])
		create := `{"document":` + flowDoc + `,"settings":{"rate_limit":{"per_second":1000000,"burst":1000000}}}`
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
		if resp, err := postAs(token, addrs[0]+"/api/flows/"+flow.ID+"/start", ""); err != nil || resp.StatusCode != 200 {
			t.Fatalf("start: %v", err)
		}
		hookPath := flow.WebhookURL[strings.Index(flow.WebhookURL, "/hook/"):]
		var urls []string
		for _, a := range addrs {
			urls = append(urls, a+hookPath)
		}
		// The ceiling: the same load on /healthz of the first process, before the webhooks.
		healthz := runLoad(t, []string{addrs[0] + "/healthz"}, window/3).rate
		// Completed runs are counted from the second second on: the first warms the processes.
		done := make(chan loadResult, 1)
		go func() { done <- runLoad(t, urls, window+time.Second) }()
		time.Sleep(time.Second)
		c0, t0 := hits.Load(), time.Now()
		lr := <-done
		c1, t1 := hits.Load(), time.Now()
		r := result{name: name, procs: procs, runs: float64(c1-c0) / t1.Sub(t0).Seconds(),
			accepts: lr.rate, p99: lr.p99, errors: lr.errors, healthz: healthz}
		return r
	}

	results := []result{
		measure("SQLite, 1 process", "sqlite", 1),
		measure("PostgreSQL, 1 process", "postgres", 1),
		measure("PostgreSQL, 2 processes", "postgres", 2),
		measure("PostgreSQL, 3 processes", "postgres", 3),
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\nbench-pg: %d s a configuration, 32 senders, 16 workers a process; load average %s\n", seconds, strings.Join(strings.Fields(string(load))[:3], " "))
	fmt.Printf("%-26s %12s %12s %9s %14s %12s %s\n", "configuration", "runs/s", "accepts/s", "p99 ms", "/healthz req/s", "÷ /healthz", "÷ 1 process (PostgreSQL)")
	one := results[1].runs
	for _, r := range results {
		vsOne := "—"
		if strings.HasPrefix(r.name, "PostgreSQL") {
			vsOne = fmt.Sprintf("%.2f×", r.runs/one)
		}
		fmt.Printf("%-26s %12.0f %12.0f %9.1f %14.0f %12.3f %s\n", r.name, r.runs, r.accepts, r.p99, r.healthz, r.runs/r.healthz, vsOne)
		if r.errors > 0 {
			fmt.Printf("  (%d webhooks were not answered 2xx)\n", r.errors)
		}
	}
	fmt.Printf("SQLite ÷ PostgreSQL, 1 process: %.2f× the completed runs/s\n\n", results[0].runs/results[1].runs)
}

// startBenchServer starts `hookflow serve` on a free port and returns its address once
// /healthz answers, and a function that kills it.
func startBenchServer(t *testing.T, dataDir string, env []string) (string, func()) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	bin := os.Getenv("HOOKFLOW_BIN")
	var cmd *exec.Cmd
	if bin != "" {
		cmd = exec.Command(bin, "serve")
		cmd.Env = os.Environ()
	} else {
		cmd = exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "HOOKFLOW_TEST_SUBPROCESS=serve")
	}
	cmd.Env = append(cmd.Env, append([]string{"HOOKFLOW_ADDR=" + addr, "HOOKFLOW_DATA_DIR=" + dataDir, "HOOKFLOW_LOG_LEVEL=error"}, env...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop := func() { once.Do(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }) }
	t.Cleanup(stop)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return "http://" + addr, stop
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("hookflow serve on %s did not answer /healthz in 60 s", addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type loadResult struct {
	rate   float64 // 2xx answers a second
	p99    float64 // ms
	errors int
}

// runLoad runs the load generator process against urls for d and reads its one-line result.
func runLoad(t *testing.T, urls []string, d time.Duration) loadResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "HOOKFLOW_TEST_SUBPROCESS=load", "HOOKFLOW_LOAD_URLS="+strings.Join(urls, " "),
		"HOOKFLOW_LOAD_DURATION="+d.String(), "HOOKFLOW_LOAD_SENDERS=32")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("load generator: %v", err)
	}
	var r loadResult
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "load %g %g %d", &r.rate, &r.p99, &r.errors); err != nil {
		t.Fatalf("load generator said %q: %v", out, err)
	}
	return r
}

// loadMain is the load generator process: HOOKFLOW_LOAD_SENDERS senders, each sending GET
// requests one after another for HOOKFLOW_LOAD_DURATION to one of HOOKFLOW_LOAD_URLS (sender i
// to URL i mod n), with a GetCourse-like query. It prints "load <2xx/s> <p99 ms> <errors>".
func loadMain() int {
	urls := strings.Fields(os.Getenv("HOOKFLOW_LOAD_URLS"))
	d, err := time.ParseDuration(os.Getenv("HOOKFLOW_LOAD_DURATION"))
	senders, err2 := strconv.Atoi(os.Getenv("HOOKFLOW_LOAD_SENDERS"))
	if len(urls) == 0 || err != nil || err2 != nil || senders < 1 {
		fmt.Fprintln(os.Stderr, "load: set HOOKFLOW_LOAD_URLS, HOOKFLOW_LOAD_DURATION and HOOKFLOW_LOAD_SENDERS")
		return 2
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var mu sync.Mutex
	var lat []time.Duration
	var errs atomic.Int64
	var seq atomic.Int64
	end := time.Now().Add(d)
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(url string) {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(end) {
				k := seq.Add(1)
				t0 := time.Now()
				resp, err := client.Get(fmt.Sprintf("%s?email=u%d%%40example.ru&phone=%%2B7916%07d&first_name=Anna", url, k, k%10000000))
				if err != nil {
					errs.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(urls[i%len(urls)])
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	p99 := 0.0
	if len(lat) > 0 {
		p99 = float64(lat[len(lat)*99/100].Microseconds()) / 1000
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "load %.1f %.2f %d\n", float64(len(lat))/elapsed.Seconds(), p99, errs.Load())
	_ = w.Flush()
	return 0
}
