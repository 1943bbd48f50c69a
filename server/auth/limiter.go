package auth

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits of failed sign-ins (golang.org/x/time/rate token buckets): per email they stop password
// guessing on one account, per address they stop trying many accounts from one place. Only
// failures take from the buckets, so people who type their password right are never slowed.
// Refused signups (no invitation on an instance with an owner, an invitation that does not
// exist) count against the address too, so alternating between the two doubles nothing.
// InvitationLimit counts wrong passwords given with one invitation for existing accounts (see
// Service.Signup), so an invitation cannot be used to test many emails.
var (
	EmailLimit      = Limit{Burst: 5, Every: time.Minute}
	IPLimit         = Limit{Burst: 20, Every: 10 * time.Second}
	InvitationLimit = Limit{Burst: 5, Every: time.Hour}
)

// Limit is a bucket: Burst failures at once, then one more each Every.
type Limit struct {
	Burst int
	Every time.Duration
}

// limiter holds one bucket per key. Buckets that are full again are dropped when the map grows,
// so a flood of addresses cannot grow it without bound.
type limiter struct {
	limit Limit
	mu    sync.Mutex
	m     map[string]*rate.Limiter
}

const limiterMaxKeys = 100_000

func newLimiter(l Limit) *limiter { return &limiter{limit: l, m: map[string]*rate.Limiter{}} }

func (l *limiter) bucket(key string) *rate.Limiter {
	b := l.m[key]
	if b == nil {
		if len(l.m) >= limiterMaxKeys {
			l.sweep()
		}
		b = rate.NewLimiter(rate.Every(l.limit.Every), l.limit.Burst)
		l.m[key] = b
	}
	return b
}

// sweep drops buckets that have refilled (they behave like new ones); if all are in use, it
// drops all rather than grow.
func (l *limiter) sweep() {
	for k, b := range l.m {
		if b.Tokens() >= float64(l.limit.Burst) {
			delete(l.m, k)
		}
	}
	if len(l.m) >= limiterMaxKeys {
		clear(l.m)
	}
}

// wait says how long until key may try again (0: now).
func (l *limiter) wait(key string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[key]
	if !ok || b.Tokens() >= 1 {
		return 0
	}
	r := b.Reserve()
	d := r.Delay()
	r.Cancel()
	return d
}

// fail takes one token from key's bucket.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bucket(key).Allow()
}
