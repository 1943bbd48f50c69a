// Package outbound is the server's policy for the requests flows send: which addresses an
// `http` step may reach. The check runs on the IP actually dialled (net.Dialer.Control), so a
// host name resolving to a forbidden address, or a redirect to one, is refused too.
//
// It imports flows (for the always-denied ranges and the error a step reports) and nothing else
// of the server.
package outbound
