package flows

import (
	"strings"
	"testing"
)

func TestValidate_LiteralURLToMetadataOrLinkLocalIsRefused(t *testing.T) {
	cases := []struct {
		name, url string
		refused   bool
	}{
		{"AWS/GCP metadata", "http://169.254.169.254/latest/meta-data/", true},
		{"metadata over https with port", "https://169.254.169.254:443/x", true},
		{"IPv6 link-local", "http://[fe80::1]/x", true},
		{"AWS IPv6 metadata", "http://[fd00:ec2::254]/latest", true},
		{"Alibaba metadata", "http://100.100.100.200/latest/meta-data", true},
		{"metadata through NAT64", "http://[64:ff9b::a9fe:a9fe]/latest", true},
		{"metadata through 6to4", "http://[2002:a9fe:a9fe::1]/latest", true},
		{"metadata as IPv4-compatible IPv6", "http://[::169.254.169.254]/latest", true},
		{"metadata through Teredo", "http://[2001:0:4136:e378:8000:63bf:5601:5601]/latest", true},
		{"GCP metadata name", "http://metadata.google.internal/computeMetadata/v1/", true},
		{"public service", "https://api.cpa.house/method/send_order", false},
		{"loopback is the server's choice", "http://127.0.0.1:8080/x", false},
		{"templated host is checked when sent", "http://{{inputs.host}}/x", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, `{"schema":1,"inputs":[{"key":"host"}],"nodes":[{"id":"trigger","kind":"webhook"},
			  {"id":"send","kind":"http","name":"Send lead","config":{"url":"`+tc.url+`"}}],
			  "edges":[{"from":"trigger","to":"send"}]}`)
			var got *Problem
			for _, p := range Validate(f, nil) {
				if p.Code == CodeURLDenied {
					got = &p
				}
			}
			if !tc.refused {
				if got != nil {
					t.Fatalf("refused: %v", got)
				}
				return
			}
			if got == nil {
				t.Fatal("not refused")
			}
			if got.Node != "send" || got.Field != "url" {
				t.Errorf("problem on %s.%s, want send.url", got.Node, got.Field)
			}
			en, ru := got.Text("en"), got.Text("ru")
			if !strings.Contains(en, "Send lead") || !strings.Contains(en, "never sends") {
				t.Errorf("English: %q", en)
			}
			if !strings.Contains(ru, "не отправляет") {
				t.Errorf("Russian: %q", ru)
			}
		})
	}
}
