package core

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

func (r *RateLimit) effective() (rate.Limit, int) {
	per, burst := DefaultRatePerSecond, DefaultRateBurst
	if r != nil && r.PerSecond > 0 {
		per = r.PerSecond
	}
	if r != nil && r.Burst > 0 {
		burst = r.Burst
	}
	return rate.Limit(per), burst
}

// RateLimitedError refuses a webhook over its flow's limit; the API answers 429 with Retry-After.
type RateLimitedError struct {
	PerSecond  float64
	Burst      int
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("this webhook address gets more than %s requests a second; slow down and try again in %d s",
		formatRate(e.PerSecond), e.RetryAfterSeconds())
}

// RetryAfterSeconds is the Retry-After value: whole seconds, at least 1.
func (e *RateLimitedError) RetryAfterSeconds() int {
	return max(1, int(math.Ceil(e.RetryAfter.Seconds())))
}

func formatRate(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%.2g", f)
}

type flowLimiter struct {
	limit rate.Limit
	burst int
	lim   *rate.Limiter
}

type rateLimiters struct {
	mu sync.Mutex
	m  map[string]*flowLimiter // flow id →
}

// allow takes one token of the flow's bucket, creating or resizing the bucket when the flow's
// setting changed.
func (r *rateLimiters) allow(flowID string, setting *RateLimit, now time.Time) error {
	limit, burst := setting.effective()
	r.mu.Lock()
	if r.m == nil {
		r.m = map[string]*flowLimiter{}
	}
	fl := r.m[flowID]
	if fl == nil || fl.limit != limit || fl.burst != burst {
		fl = &flowLimiter{limit: limit, burst: burst, lim: rate.NewLimiter(limit, burst)}
		r.m[flowID] = fl
	}
	r.mu.Unlock()
	if fl.lim.AllowN(now, 1) {
		return nil
	}
	res := fl.lim.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	res.CancelAt(now)
	return &RateLimitedError{PerSecond: float64(limit), Burst: burst, RetryAfter: wait}
}

func (r *rateLimiters) forget(flowID string) {
	r.mu.Lock()
	delete(r.m, flowID)
	r.mu.Unlock()
}
