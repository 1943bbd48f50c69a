package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookflow/hookflow/server/core"
	"github.com/labstack/echo/v4"
)

// Benchmarks for `make bench`: durable webhook accepts against a bare Echo handler (the
// ceiling on this machine), and completed runs end to end. 32 concurrent senders on loopback.

const benchSenders = 32

// hammer sends n GET requests to url from benchSenders goroutines and returns the latencies.
func hammer(b *testing.B, url string, n int) []time.Duration {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: benchSenders}}
	lat := make([]time.Duration, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for i := 0; i < benchSenders; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k := int(next.Add(1)) - 1
				if k >= n {
					return
				}
				start := time.Now()
				resp, err := client.Get(fmt.Sprintf("%s?email=u%d%%40example.ru&phone=%%2B7916%07d&first_name=Anna", url, k, k))
				if err != nil {
					b.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 != 2 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
				lat[k] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	return lat
}

// reportLatency reports req/s and p99 and returns req/s.
func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) float64 {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	rate := float64(len(lat)) / elapsed.Seconds()
	b.ReportMetric(rate, "req/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
	return rate
}

func BenchmarkWebhook(b *testing.B) {
	b.Run("bare-echo-baseline", func(b *testing.B) {
		e := echo.New()
		e.Any("/hook/:token", func(c echo.Context) error {
			return c.JSON(200, map[string]any{"ok": true, "event_id": "x"})
		})
		srv := httptest.NewServer(e)
		defer srv.Close()
		hammer(b, srv.URL+"/hook/t", 500)
		b.ResetTimer()
		start := time.Now()
		lat := hammer(b, srv.URL+"/hook/t", max(b.N, 2000))
		reportLatency(b, lat, time.Since(start))
	})
	// A stopped flow: every webhook is stored durably, none is run, so this is ingress alone.
	// First with synchronous=NORMAL (the WAL is fsynced only at checkpoints: survives a crash of
	// the process, not a power loss), the baseline for the shipped FULL (fsync before the answer).
	accepts := func(b *testing.B, synchronous string) float64 {
		s := startServer(b, "sqlite", http.DefaultClient)
		ctx := context.Background()
		// The SQLite writer is one long-lived connection, so the pragma holds for the whole run.
		if err := s.st.Write(ctx).Exec("PRAGMA synchronous=" + synchronous).Error; err != nil {
			b.Fatal(err)
		}
		v := s.createUnlimitedFlow(b, `{"schema":1,"name":"bench","nodes":[{"id":"trigger","kind":"webhook"}],"edges":[]}`)
		hammer(b, v.WebhookURL, 500)
		var level string
		if err := s.st.Write(ctx).Raw("PRAGMA synchronous").Scan(&level).Error; err != nil || level != map[string]string{"NORMAL": "1", "FULL": "2"}[synchronous] {
			b.Fatalf("PRAGMA synchronous is %q (%v), want %s", level, err, synchronous)
		}
		b.ResetTimer()
		start := time.Now()
		lat := hammer(b, v.WebhookURL, max(b.N, 2000))
		return reportLatency(b, lat, time.Since(start))
	}
	var normal float64
	b.Run("durable-accept-sqlite-sync-normal-baseline", func(b *testing.B) { normal = accepts(b, "NORMAL") })
	b.Run("durable-accept-sqlite", func(b *testing.B) {
		full := accepts(b, "FULL")
		if normal > 0 {
			b.ReportMetric(full/normal, "x-of-normal")
		}
	})
}

// BenchmarkRunsEndToEnd measures completed runs/s of webhook → form_encode → HTTP POST to a
// local sink, from the first webhook sent to the last run stored.
func BenchmarkRunsEndToEnd(b *testing.B) {
	var hits atomic.Int64
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		hits.Add(1)
		w.Write([]byte(`{"status":"success"}`))
	}))
	defer sink.Close()
	s := startServer(b, "sqlite", sink.Client(), configured(func(c *core.Config) { c.Workers = 16 }))
	v := s.createUnlimitedFlow(b, `{"schema":1,"name":"bench","nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"form","kind":"form_encode","config":{"fields":[{"key":"event_id","value":"{{event.id}}"},{"key":"email","value":"{{trigger.params.email}}"},{"key":"phone","value":"{{trigger.params.phone | digits}}"}]}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"`+sink.URL+`/lead","body_type":"previous"}}],
	  "edges":[{"from":"trigger","to":"form"},{"from":"form","to":"send"}]}`)
	s.call("POST", "/api/flows/"+v.ID+"/start", nil, nil)
	n := max(b.N, 2000)
	b.ResetTimer()
	start := time.Now()
	hammer(b, v.WebhookURL, n)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for hits.Load() < int64(n) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(n)/elapsed.Seconds(), "runs/s")
	b.ReportMetric(0, "ns/op")
	if !strings.HasPrefix(v.WebhookURL, "http") {
		b.Fatal("no webhook URL")
	}
}

// createUnlimitedFlow creates a flow whose webhook rate limit is lifted: benchmarks flood it.
func (s *testServer) createUnlimitedFlow(t testing.TB, doc string) flowView {
	t.Helper()
	var v flowView
	body := `{"document":` + doc + `,"settings":{"rate_limit":{"per_second":1000000,"burst":1000000}}}`
	if code := s.call("POST", "/api/flows", body, &v); code != 201 {
		t.Fatalf("create flow: %d %+v", code, v)
	}
	return v
}
