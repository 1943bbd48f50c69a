// Package core is the hookflow service without HTTP: flows with their webhook tokens, durable
// webhook ingress (group-committed), the queue and its workers, the journal, live events and
// failure alerts. server/api exposes it over HTTP.
package core
