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
	fmt.Printf("\nbench-pg: %d s a configuration, 32 senders, %s workers a process; load average %s\n", seconds, benchWorkers(), strings.Join(strings.Fields(string(load))[:3], " "))
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
//
// Paced (HOOKFLOW_LOAD_RATE, webhooks/s): the senders share that rate instead of sending as fast
// as they can. A clock hands out one request at a time at the rate; a sender takes the next one
// when it is free, and a request that finds every sender busy and `senders` others already
// waiting is not sent but counted as missed: how far the generator (or the server, by answering
// slowly) fell short. A paced run also prints "paced <target/s> <sent/s> <missed> <2xx>" after
// the load line. HOOKFLOW_LOAD_PROGRESS (a duration) prints "progress <seconds> <sent> <2xx>
// <errors> <missed> <p99 ms of the interval>" that often while it runs, totals since the start.
func loadMain() int {
	urls := strings.Fields(os.Getenv("HOOKFLOW_LOAD_URLS"))
	d, err := time.ParseDuration(os.Getenv("HOOKFLOW_LOAD_DURATION"))
	senders, err2 := strconv.Atoi(os.Getenv("HOOKFLOW_LOAD_SENDERS"))
	if len(urls) == 0 || err != nil || err2 != nil || senders < 1 {
		fmt.Fprintln(os.Stderr, "load: set HOOKFLOW_LOAD_URLS, HOOKFLOW_LOAD_DURATION and HOOKFLOW_LOAD_SENDERS")
		return 2
	}
	rate, _ := strconv.ParseFloat(os.Getenv("HOOKFLOW_LOAD_RATE"), 64)
	progress, _ := time.ParseDuration(os.Getenv("HOOKFLOW_LOAD_PROGRESS"))
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: senders}}
	var mu sync.Mutex
	var lat []time.Duration
	var errs, sent, accepted, missed atomic.Int64
	var seq atomic.Int64
	var window loadWindow // the latencies of the current progress interval
	end := time.Now().Add(d)
	start := time.Now()
	// next waits for the sender's next request: at once when unpaced, else the pace's turn.
	next := func() bool { return time.Now().Before(end) }
	if rate > 0 {
		turns := make(chan struct{}, senders)
		go pace(turns, rate, start, end, &missed)
		next = func() bool {
			_, ok := <-turns
			return ok
		}
	}
	stopProgress := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		if progress <= 0 {
			return
		}
		tick := time.NewTicker(progress)
		defer tick.Stop()
		for {
			select {
			case <-stopProgress:
				return
			case now := <-tick.C:
				fmt.Printf("progress %.1f %d %d %d %d %.2f\n", now.Sub(start).Seconds(), sent.Load(), accepted.Load(), errs.Load(), missed.Load(), window.p99())
			}
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < senders; i++ {
		wg.Add(1)
		go func(url string) {
			defer wg.Done()
			var mine []time.Duration
			for next() {
				k := seq.Add(1)
				sent.Add(1)
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
				took := time.Since(t0)
				mine = append(mine, took)
				accepted.Add(1)
				if progress > 0 {
					window.add(took)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}(urls[i%len(urls)])
	}
	wg.Wait()
	close(stopProgress)
	<-progressDone
	elapsed := time.Since(start)
	slices.Sort(lat)
	p99 := 0.0
	if len(lat) > 0 {
		p99 = float64(lat[len(lat)*99/100].Microseconds()) / 1000
	}
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(w, "load %.1f %.2f %d\n", float64(len(lat))/elapsed.Seconds(), p99, errs.Load())
	if rate > 0 {
		fmt.Fprintf(w, "paced %.1f %.1f %d %d\n", rate, float64(sent.Load())/elapsed.Seconds(), missed.Load(), accepted.Load())
	}
	_ = w.Flush()
	return 0
}

// pace hands out turns at rate per second from start until end, then closes turns. A turn
// that finds turns full (every sender busy, as many turns waiting) is dropped and counted.
func pace(turns chan<- struct{}, rate float64, start, end time.Time, missed *atomic.Int64) {
	defer close(turns)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	var given int64
	for now := range tick.C {
		if !now.Before(end) {
			return
		}
		// Turns are counted from the start, so a late tick (a busy machine) catches up.
		for due := int64(rate * now.Sub(start).Seconds()); given < due; given++ {
			select {
			case turns <- struct{}{}:
			default:
				missed.Add(1)
			}
		}
	}
}

// loadWindow collects the latencies of one progress interval.
type loadWindow struct {
	mu  sync.Mutex
	lat []time.Duration
}

func (w *loadWindow) add(d time.Duration) {
	w.mu.Lock()
	w.lat = append(w.lat, d)
	w.mu.Unlock()
}

// p99 returns the interval's p99 in ms and starts the next interval.
func (w *loadWindow) p99() float64 {
	w.mu.Lock()
	lat := w.lat
	w.lat = nil
	w.mu.Unlock()
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	return float64(lat[len(lat)*99/100].Microseconds()) / 1000
}
