package store_test

import (
	"context"
	"testing"

	"github.com/hookflow/hookflow/server/store"
)

// A webhook is acknowledged after its commit; with synchronous=FULL that commit has reached the
// disk (the WAL is fsynced), so it survives a power loss and not only a killed process.
func TestStore_SQLiteCommitsAreSyncedToDiskBeforeTheyReturn(t *testing.T) {
	for _, tc := range []struct {
		setting string
		want    int // PRAGMA synchronous: 1 NORMAL, 2 FULL, 3 EXTRA
	}{
		{"", 2}, // the default is FULL
		{"full", 2},
		{"NORMAL", 1},
		{"extra", 3},
	} {
		t.Run("synchronous="+tc.setting, func(t *testing.T) {
			st, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), Synchronous: tc.setting})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var got int
			if err := st.Write(context.Background()).Raw("PRAGMA synchronous").Scan(&got).Error; err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("PRAGMA synchronous = %d, want %d", got, tc.want)
			}
		})
	}
	if _, err := store.Open(context.Background(), store.Options{DataDir: t.TempDir(), Synchronous: "OFF"}); err == nil {
		t.Fatal("synchronous=OFF was accepted: it can lose acknowledged webhooks on a crash")
	}
}
