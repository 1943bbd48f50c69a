package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
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

	b := newRunsBench(t, window)
	results := []benchResult{
		b.measure("SQLite, 1 process", "sqlite", 1),
		b.measure("PostgreSQL, 1 process", "postgres", 1),
		b.measure("PostgreSQL, 2 processes", "postgres", 2),
		b.measure("PostgreSQL, 3 processes", "postgres", 3),
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
// /healthz answers, its process id, and a function that kills it.
func startBenchServer(t *testing.T, dataDir string, env []string) (string, int, func()) {
	t.Helper()
	addr := freeAddr(t)
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
				return "http://" + addr, cmd.Process.Pid, stop
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
