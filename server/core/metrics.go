package core

import (
	"context"
	"time"

	"github.com/hookflow/hookflow/flows"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the app's Prometheus metrics, in a registry of its own.
type Metrics struct {
	Registry *prometheus.Registry
	accepted prometheus.Counter
	rejected *prometheus.CounterVec
	runs     *prometheus.CounterVec
	steps    *prometheus.HistogramVec
}

func newMetrics(a *App) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		accepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "hookflow_webhooks_accepted_total", Help: "Webhook requests stored."}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookflow_webhooks_rejected_total", Help: "Webhook requests refused, by reason."}, []string{"reason"}),
		runs:     prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hookflow_runs_total", Help: "Finished runs by status."}, []string{"status"}),
		steps: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "hookflow_step_duration_seconds", Help: "Step latency by node kind.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10)}, []string{"kind"}),
	}
	depth := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hookflow_queue_depth", Help: "Events waiting or running."}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := a.store.QueueDepth(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})
	full := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "hookflow_disk_full",
		Help: "1 while the database's disk is full: webhooks are refused with 503 (hookflow_webhooks_rejected_total{reason=\"disk_full\"})."}, func() float64 {
		if a.DiskFull() {
			return 1
		}
		return 0
	})
	m.Registry.MustRegister(m.accepted, m.rejected, m.runs, m.steps, depth, full,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) webhookAccepted()              { m.accepted.Inc() }
func (m *Metrics) webhookRejected(reason string) { m.rejected.WithLabelValues(reason).Inc() }
func (m *Metrics) runFinished(status string)     { m.runs.WithLabelValues(status).Inc() }
func (m *Metrics) stepFinished(s *flows.StepTrace) {
	m.steps.WithLabelValues(s.Kind).Observe(float64(s.DurationMs) / 1000)
}

// WebhookRejected counts a webhook refused before it reached the store (too large, unknown).
func (m *Metrics) WebhookRejected(reason string) { m.webhookRejected(reason) }
