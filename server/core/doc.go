// Package core is the hookflow service without HTTP: flows with their webhook tokens, durable
// webhook ingress (group-committed), the queue and its workers, the journal, live events and
// failure alerts. server/api exposes it over HTTP and reaches the store only through it: App
// hands out Journal (the runs recorded: journal pages, charts, live backfill), Teams (members,
// invitations, tokens, audit log, team templates, owners of flows and runs) and the accounts
// service; the flow service, intake and workers are App's own methods.
package core
