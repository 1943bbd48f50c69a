// Package api is hookflow's HTTP interface (Echo): the JSON API the editor and scripts use,
// the webhook endpoint sources call, the live log websocket, health and metrics. Handlers are
// thin: decode, call core, encode.
package api
