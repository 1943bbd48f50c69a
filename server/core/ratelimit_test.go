package core

import (
	"errors"
	"testing"
	"time"
)

func TestRateLimit_BucketPerFlowWithDefaultsAndOwnSetting(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name    string
		setting *RateLimit
		allowed int
	}{
		{"default burst", nil, DefaultRateBurst},
		{"zero fields take defaults", &RateLimit{}, DefaultRateBurst},
		{"own burst", &RateLimit{PerSecond: 1, Burst: 3}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r rateLimiters
			for i := 0; i < tc.allowed; i++ {
				if err := r.allow("f", tc.setting, now); err != nil {
					t.Fatalf("request %d refused: %v", i+1, err)
				}
			}
			err := r.allow("f", tc.setting, now)
			var limited *RateLimitedError
			if !errors.As(err, &limited) {
				t.Fatalf("request %d: got %v, want a rate-limit refusal", tc.allowed+1, err)
			}
			if limited.RetryAfterSeconds() < 1 {
				t.Errorf("Retry-After %d, want at least 1", limited.RetryAfterSeconds())
			}
			// Another flow has its own bucket.
			if err := r.allow("other", tc.setting, now); err != nil {
				t.Errorf("another flow refused: %v", err)
			}
			// A changed setting takes effect at once (a fresh bucket).
			if err := r.allow("f", &RateLimit{PerSecond: 5, Burst: 7}, now); err != nil {
				t.Errorf("after the setting changed: %v", err)
			}
		})
	}
}
