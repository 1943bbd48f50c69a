// Package notify owns the failure email: when a flow run fails, the flow's
// recipients get a plain-text UTF-8 mail (in English or Russian) naming the
// flow, the failed step, the error, the time and a link to the run in the
// journal.
//
// It owns, and only it:
//   - parsing and validating the SMTP settings (HOOKFLOW_SMTP_URL):
//     smtp://[user:pass@]host[:port] uses STARTTLS whenever the server offers
//     it (port 587 by default with credentials, 25 without),
//     smtps://[user:pass@]host[:port] uses implicit TLS (port 465 by default),
//     and ?from=address sets the sender;
//   - the throttle: at most one mail per flow per window (15 minutes by
//     default); failures inside the window are counted, and the next mail
//     says how many happened since the previous one; flows are independent;
//   - a bounded in-memory queue and one sending goroutine, so RunFailed never
//     blocks a worker; each recipient gets their own copy, so one rejected
//     address does not stop the others; a failed send is logged and retried a
//     couple of times with backoff (5xx answers are not retried); a full queue
//     drops the mail, logs it and counts it for the next one.
//
// Credentials are only sent over TLS (or to a server on localhost), and the
// password never appears in errors or logs.
//
// Messages are composed and sent with github.com/wneessen/go-mail. The
// server decides who the recipients are and builds the run link; when no SMTP
// URL is configured it simply keeps a nil *Notifier: all methods of a nil
// *Notifier are no-ops.
package notify
