package flows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Sending the http node's request: the attempts, retries with backoff or as Retry-After asks,
// reading the answer within the time and size limits, and saying why a request failed.

// send makes the attempts: retries on network errors, timeouts, 5xx and 429 with backoff.
func (h *httpStep) send(ctx context.Context, sc *StepContext, p *httpPrepared, x *HTTPExchange) (*httpResult, error) {
	attempts := 1 + h.retries
	for i := 0; i < attempts; i++ {
		start := sc.Env.Now()
		res, err := h.attempt(ctx, sc, p)
		a := HTTPAttempt{DurationMs: elapsed(sc.Env, start)}
		last := i == attempts-1
		var failure error
		tag := fmt.Sprintf("attempt %d of %d", i+1, attempts)
		if attempts == 1 {
			tag = "the request"
		}

		var ae *httpAttemptError
		var denied *DeniedError
		switch {
		case errors.As(err, &ae) && ae.kind == httpErrCanceled:
			a.Error = "stopped"
			x.Attempts = append(x.Attempts, a)
			return nil, sc.Fail(CodeRunCanceled, nil)
		case errors.As(err, &ae) && ae.kind == httpErrTooLarge:
			a.Status = res.status
			x.Attempts = append(x.Attempts, a)
			x.Response = httpTraceResponse(res)
			sc.Logf("%s %s → HTTP %d, but the answer is larger than %s", p.method, p.url, res.status, httpSize(MaxResponseBytes))
			return nil, sc.Fail(CodeHTTPTooLarge, Params{"host": p.host, "limit": httpSize(MaxResponseBytes)})
		case errors.As(err, &ae) && ae.kind == httpErrTimeout:
			secs := strconv.FormatFloat(h.timeout.Seconds(), 'f', -1, 64)
			a.Error = "no answer within " + secs + " s"
			failure = sc.Fail(CodeHTTPTimeout, Params{"host": p.host, "seconds": secs})
			sc.Logf("%s: %s did not answer within %s s", tag, p.host, secs)
		case errors.As(err, &denied):
			// The server's outbound policy refused the address: trying again cannot help.
			a.Error = denied.Error()
			x.Attempts = append(x.Attempts, a)
			sc.Logf("%s %s was not sent: %s", p.method, p.url, denied.Error())
			return nil, sc.Fail(CodeHTTPDenied, Params{"host": p.host, "address": denied.Address,
				"reason": denied.Reason, "reason_ru": denied.ReasonRu})
		case errors.As(err, &ae) && ae.kind == httpErrBuild:
			a.Error = ae.err.Error()
			x.Attempts = append(x.Attempts, a)
			return nil, sc.Fail(CodeHTTPBadRequest, Params{"detail": ae.err.Error()})
		case err != nil:
			detail := httpNetDetail(err)
			a.Error = detail
			failure = sc.Fail(CodeHTTPNetwork, Params{"host": p.host, "detail": detail})
			sc.Logf("%s: could not reach %s: %s", tag, p.host, detail)
		default:
			a.Status = res.status
			if attempts > 1 {
				sc.Logf("%s: %s %s → HTTP %d in %d ms", tag, p.method, p.url, res.status, a.DurationMs)
			} else {
				sc.Logf("%s %s → HTTP %d in %d ms", p.method, p.url, res.status, a.DurationMs)
			}
			if h.inRange(res.status) || (res.status < 500 && res.status != http.StatusTooManyRequests) {
				x.Attempts = append(x.Attempts, a)
				return res, nil
			}
			x.Response = httpTraceResponse(res)
			failure = h.statusError(sc, p, res)
		}

		if last {
			x.Attempts = append(x.Attempts, a)
			if attempts > 1 {
				sc.Logf("gave up after %d attempts", attempts)
			}
			return nil, failure
		}
		wait, asked := h.backoff(i), false
		if res != nil && (res.status == http.StatusTooManyRequests || res.status == http.StatusServiceUnavailable) {
			if d, ok := httpRetryAfter(res.headers.Get("Retry-After"), sc.Env.Now()); ok {
				if d > httpMaxRetryAfter {
					x.Attempts = append(x.Attempts, a)
					secs := strconv.FormatInt(int64(math.Ceil(d.Seconds())), 10)
					sc.Logf("%s asked to wait %s s before trying again, longer than %d s", p.host, secs, int(httpMaxRetryAfter.Seconds()))
					return nil, sc.Fail(CodeHTTPRetryAfter, Params{"host": p.host, "seconds": secs})
				}
				wait, asked = d, true
			}
		}
		a.WaitMs = wait.Milliseconds()
		x.Attempts = append(x.Attempts, a)
		if asked {
			sc.Logf("trying again in %s, as %s asked (Retry-After)", httpDuration(wait), p.host)
		} else {
			sc.Logf("trying again in %s", httpDuration(wait))
		}
		if err := sc.Env.Sleep(ctx, wait); err != nil {
			return nil, sc.Fail(CodeRunCanceled, nil)
		}
	}
	return nil, sc.Fail(CodeRunCanceled, nil) // not reached: the last attempt returns
}

// backoff is the pause after attempt i (0-based): full jitter over an exponential ceiling.
func (h *httpStep) backoff(i int) time.Duration {
	if h.delay <= 0 {
		return 0
	}
	ceiling := httpMaxDelay
	if i < 20 {
		ceiling = min(h.delay<<i, httpMaxDelay)
	}
	return time.Duration(rand.Int64N(int64(ceiling) + 1))
}

// httpRetryAfter reads Retry-After as seconds or as an HTTP date.
func httpRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > 1<<31 {
			n = 1 << 31
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

type httpErrKind int

const (
	httpErrNetwork httpErrKind = iota
	httpErrTimeout
	httpErrCanceled
	httpErrTooLarge
	httpErrBuild
)

type httpAttemptError struct {
	kind httpErrKind
	err  error
}

func (e *httpAttemptError) Error() string { return e.err.Error() }
func (e *httpAttemptError) Unwrap() error { return e.err }

// attempt sends the request once and reads the answer within the timeout.
func (h *httpStep) attempt(ctx context.Context, sc *StepContext, p *httpPrepared) (*httpResult, error) {
	actx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	var body io.Reader
	if p.body != "" {
		body = strings.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(actx, p.method, p.url, body)
	if err != nil {
		return nil, &httpAttemptError{kind: httpErrBuild, err: err}
	}
	for _, kv := range p.headers {
		if kv.Key == "Host" {
			req.Host = kv.Value
			continue
		}
		req.Header.Add(kv.Key, kv.Value)
	}
	classify := func(err error) error {
		switch {
		case ctx.Err() != nil:
			return &httpAttemptError{kind: httpErrCanceled, err: err}
		case errors.Is(actx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) || httpIsTimeout(err):
			return &httpAttemptError{kind: httpErrTimeout, err: err}
		}
		return &httpAttemptError{kind: httpErrNetwork, err: err}
	}
	resp, err := sc.Env.HTTPClient().Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, classify(err)
	}
	res := &httpResult{status: resp.StatusCode, headers: resp.Header, body: data}
	if res.headers == nil {
		res.headers = http.Header{}
	}
	if len(data) > MaxResponseBytes {
		res.body = data[:MaxResponseBytes]
		return res, &httpAttemptError{kind: httpErrTooLarge, err: errors.New("response too large")}
	}
	return res, nil
}

func httpIsTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// httpNetDetail says in plain words why a request did not get through.
func httpNetDetail(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case strings.Contains(low, "connection refused"):
		return "the connection was refused (nothing answers at that address)"
	case strings.Contains(low, "no such host"):
		return "the server name is unknown (check the address)"
	case strings.Contains(low, "connection reset"):
		return "the connection was dropped by the server"
	case strings.Contains(low, "eof"):
		return "the server closed the connection without answering"
	case strings.Contains(low, "certificate") || strings.Contains(low, "tls"):
		return "the secure connection failed: " + msg
	}
	return msg
}
