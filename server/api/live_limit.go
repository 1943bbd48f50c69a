package api

import "sync"

// maxLivePerUser caps the live logs (websockets) one user holds at once: an editor opens one per
// flow on screen, and each holds one of the server's capped connections (--max-connections),
// which one user or one leaked API token must not be able to take all of.
const maxLivePerUser = 32

// holdLimit counts what each holder (a user, a team) has at once, up to max.
type holdLimit struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

// acquire takes a place for the holder, reporting false when it holds the maximum already.
func (l *holdLimit) acquire(user string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = map[string]int{}
	}
	if l.n[user] >= l.max {
		return false
	}
	l.n[user]++
	return true
}

func (l *holdLimit) release(user string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[user]--; l.n[user] <= 0 {
		delete(l.n, user)
	}
}
