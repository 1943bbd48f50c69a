package main

import "github.com/hookflow/hookflow/server/outbound"

// outboundPolicy builds where flows may send requests from --outbound-strict and --outbound-allow.
func outboundPolicy(c serveConfig) (*outbound.Policy, error) {
	hosts, nets, err := outbound.ParseAllow(c.OutboundAllow)
	if err != nil {
		return nil, err
	}
	return &outbound.Policy{Strict: c.OutboundStrict, AllowHosts: hosts, AllowNets: nets}, nil
}
