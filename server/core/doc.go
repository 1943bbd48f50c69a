// Package core is the hookflow service without HTTP: flows with their webhook tokens, durable
// webhook ingress (group-committed), the queue and its workers, the journal, live events and
// failure alerts. server/api exposes it over HTTP and reaches the store only through it: App
// hands out Journal (the runs recorded: journal pages, charts, live backfill), Teams (members,
// invitations, tokens, audit log, team templates, owners of flows and runs) and the accounts
// service. The queue (queue.go, lease.go, finisher.go) takes events to the workers: hand-out,
// fair shares, claims and leases, batched storing of outcomes; App gives it what a worker does
// with an event (worker.go: run the flow, decide the retry) and what follows a stored outcome.
// Intake (intake.go, ingress.go) takes webhooks in: addresses, rate limits, the durable write
// and the answers of Reply steps. The flow service is App's own methods.
package core
