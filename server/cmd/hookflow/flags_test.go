package main

import (
	"io"
	"strings"
	"testing"
)

// A mistyped setting must stop the start with a sentence naming it, not be replaced silently by
// the default (HOOKFLOW_WORKERS=eight used to run with 8 workers, HOOKFLOW_OUTBOUND_STRICT=ja
// without strict mode).
func TestServeFlags_BadValuesAreRefusedWithTheirName(t *testing.T) {
	for _, c := range []struct {
		name      string
		env       map[string]string
		args      []string
		wantInErr []string
	}{
		{"a word for a number", map[string]string{"HOOKFLOW_WORKERS": "eight"}, nil, []string{"HOOKFLOW_WORKERS", "eight", "whole number"}},
		{"no workers", map[string]string{"HOOKFLOW_WORKERS": "0"}, nil, []string{"--workers", "at least 1"}},
		{"negative body limit", nil, []string{"--max-body", "-5"}, []string{"--max-body", "at least 1"}},
		{"no connections", map[string]string{"HOOKFLOW_MAX_CONNECTIONS": "0"}, nil, []string{"--max-connections", "at least 1"}},
		{"an unknown yes/no", map[string]string{"HOOKFLOW_OUTBOUND_STRICT": "ja"}, nil, []string{"HOOKFLOW_OUTBOUND_STRICT", "ja", "yes or no"}},
		{"a bad flag value", nil, []string{"--workers", "many"}, []string{"workers", "many"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			_, err := parseServeFlags(c.args, io.Discard)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range c.wantInErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q does not say %q", err, w)
				}
			}
		})
	}
}

func TestServeFlags_VariablesAreReadAndFlagsWin(t *testing.T) {
	t.Setenv("HOOKFLOW_WORKERS", "3")
	t.Setenv("HOOKFLOW_OUTBOUND_STRICT", "yes")
	t.Setenv("HOOKFLOW_ADDR", "127.0.0.1:9999")
	c, err := parseServeFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Workers != 3 || !c.OutboundStrict || c.Addr != "127.0.0.1:9999" {
		t.Fatalf("from the variables: %+v", c)
	}
	c, err = parseServeFlags([]string{"--workers", "5", "--outbound-strict=false"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Workers != 5 || c.OutboundStrict {
		t.Fatalf("flags over variables: %+v", c)
	}
}
