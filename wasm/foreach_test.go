//go:build js && wasm

package main

import (
	"strings"
	"testing"
)

// The browser engine is the server's: a For each previews each item on its own, sending
// nothing, and the trace carries the items as rows with their errors in both languages.
func TestRun_ForEachPreviewsEachItemAsARow(t *testing.T) {
	flow := `{"schema":1,"nodes":[{"id":"trigger","kind":"webhook"},
	  {"id":"each","kind":"foreach","config":{"path":"positions"}},
	  {"id":"send","kind":"http","config":{"method":"POST","url":"https://stock.example/reserve","body_type":"json",
	    "body":"{\"sku\": \"{{item.sku}}\", \"qty\": {{item.qty}}}"}},
	  {"id":"gather","kind":"collect"}],
	  "edges":[{"from":"trigger","to":"each"},{"from":"each","to":"send"},{"from":"send","to":"gather"}]}`
	// the second position has no quantity, so its JSON body cannot be built
	payload := `{"method":"POST","headers":{"Content-Type":"application/json"},
	  "body":"{\"positions\":[{\"sku\":\"A-1\",\"qty\":1},{\"sku\":\"B-2\"},{\"sku\":\"C-3\",\"qty\":3}]}"}`
	tr := call(t, "run", flow, payload, "{}", "ru")
	items, _ := step(t, tr, "each")["items"].([]any)
	if len(items) != 3 {
		t.Fatalf("%d items, want 3: %v", len(items), tr)
	}
	for i, want := range []string{"success", "failed", "success"} {
		it := items[i].(map[string]any)
		if it["status"] != want {
			t.Errorf("item %d: %v, want %s", i+1, it["status"], want)
		}
		if sent := dig(it["steps"].([]any)[0].(map[string]any), "http", "sent"); want == "success" && sent != false {
			t.Errorf("item %d: the preview sends nothing: %v", i+1, sent)
		}
	}
	if ru, _ := dig(items[1].(map[string]any), "error_text", "ru").(string); !isRussian(ru) || !strings.Contains(ru, "JSON") {
		t.Errorf("item 2's error in Russian: %q", ru)
	}
	if msg := dig(tr, "error", "message").(string); !strings.Contains(msg, "1 из 3") {
		t.Errorf("the run's error counts the items: %q", msg)
	}
}
