package api_test

import (
	"encoding/json"
	"testing"
)

// mustUnmarshal decodes JSON a test reads back, failing the test on JSON it cannot read, so a
// changed answer is reported where it is read instead of as zero values further on.
func mustUnmarshal(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("reading %.200s: %v", data, err)
	}
}
