package main

import (
	"os"
	"strings"

	"github.com/hookflow/hookflow/server/outbound"
)

// outboundPolicy builds where flows may send requests from --outbound-strict and --outbound-allow.
func outboundPolicy(c serveConfig) (*outbound.Policy, error) {
	hosts, nets, err := outbound.ParseAllow(c.OutboundAllow)
	if err != nil {
		return nil, err
	}
	return &outbound.Policy{Strict: c.OutboundStrict, AllowHosts: hosts, AllowNets: nets}, nil
}

// envBool reads a yes/no variable: 1, true, yes and on mean yes.
func envBool(name string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(name))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
