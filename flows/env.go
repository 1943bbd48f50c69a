package flows

import (
	"context"
	"net/http"
	"time"
)

// Doer sends an HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Env is what a run needs from its host: the server gives a real HTTP client, the browser
// preview gives none (requests are shown, not sent).
type Env interface {
	// HTTPClient sends the requests of http nodes. Nil means preview: nothing is sent and the
	// node continues with its sample_response.
	HTTPClient() Doer
	Now() time.Time
	// Sleep waits between retries; it returns early with ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
	// Input returns the value of one of the flow's inputs (API keys, offer ids, …).
	Input(key string) (string, bool)
	// OnStep receives live events while the run goes; it must not block.
	OnStep(StepEvent)
}

// BasicEnv is an Env from plain values. Its zero value is a preview on the real clock.
type BasicEnv struct {
	HTTP   Doer
	Clock  func() time.Time
	Inputs map[string]string
	Events func(StepEvent)
	// Wait replaces the real sleep between retries (tests, benchmarks).
	Wait func(ctx context.Context, d time.Duration) error
	// Scripts runs user JavaScript in a sandbox process (the server); nil runs it here.
	Scripts ScriptRunner
	// Resumes is set by a host that stores a waiting run and resumes it when its time comes
	// (the server's queue): a Delay step then parks the run. Without it a Delay notes the time
	// it would wait until and goes on.
	Resumes bool
	// Mail sends the letters of email steps (the server's, server/notify); nil cannot send.
	Mail Mailer
	// Lang is the language the steps write their logs in (a preview's reader's); "" is English,
	// as a run's journal is, which anyone in the team may read.
	Lang string
}

// Language is the language of the steps' logs (see Lang).
func (e *BasicEnv) Language() string { return e.Lang }

// ResumesRuns reports Resumes (see StepContext.Resumes).
func (e *BasicEnv) ResumesRuns() bool { return e.Resumes }

// Mailer is what sends the letters of email steps; nil means none.
func (e *BasicEnv) Mailer() Mailer { return e.Mail }

// ScriptRunner is where user JavaScript runs; nil means in this process.
func (e *BasicEnv) ScriptRunner() ScriptRunner { return e.Scripts }

func (e *BasicEnv) HTTPClient() Doer { return e.HTTP }

func (e *BasicEnv) Now() time.Time {
	if e.Clock != nil {
		return e.Clock()
	}
	return time.Now()
}

func (e *BasicEnv) Sleep(ctx context.Context, d time.Duration) error {
	if e.Wait != nil {
		return e.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (e *BasicEnv) Input(key string) (string, bool) {
	v, ok := e.Inputs[key]
	return v, ok
}

func (e *BasicEnv) OnStep(ev StepEvent) {
	if e.Events != nil {
		e.Events(ev)
	}
}
