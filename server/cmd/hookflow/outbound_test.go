package main

import (
	"io"
	"net/netip"
	"strings"
	"testing"
)

func TestServeFlags_OutboundPolicyFromFlagsAndEnvironment(t *testing.T) {
	t.Setenv("HOOKFLOW_OUTBOUND_STRICT", "true")
	t.Setenv("HOOKFLOW_OUTBOUND_ALLOW", "crm.local, 10.1.0.0/16")
	c, err := parseServeFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p, err := outboundPolicy(c)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Strict || p.Check("x", netip.MustParseAddr("10.1.2.3")) != nil || p.Check("crm.local", netip.MustParseAddr("192.168.0.2")) != nil {
		t.Fatalf("policy %+v", p)
	}
	if p.Check("x", netip.MustParseAddr("127.0.0.1")) == nil {
		t.Error("strict mode lets loopback through")
	}

	c, _ = parseServeFlags([]string{"--outbound-strict=false", "--outbound-allow", "10.0.0.0/99"}, io.Discard)
	if _, err := outboundPolicy(c); err == nil || !strings.Contains(err.Error(), "10.0.0.0/99") {
		t.Fatalf("a bad allow-list: %v", err)
	}
}
