package core_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/hookflow/hookflow/server/core"
)

// While the disk is full, /healthz (which anyone may call) tries a write as large as the last
// webhook refused — up to --max-body — to see whether there is room again. It tries at most once a
// second: calls in between answer from the last try, so a caller hammering /healthz cannot keep
// the database's writer busy with megabyte writes; the next try after the second sees the room.
func TestHealth_ADiskFullIsProbedAtMostOnceASecondHoweverOftenAsked(t *testing.T) {
	clock := clockwork.NewFakeClock()
	app := startApp(t, "sqlite", nil, func(c *core.Config) { c.Clock = clock })
	ctx := context.Background()
	db := core.StoreOf(app).Write(ctx)
	limit := func(pages string) {
		var got int
		if err := db.Raw("PRAGMA max_page_count = " + pages).Scan(&got).Error; err != nil {
			t.Fatal(err)
		}
	}
	var pages int
	if err := db.Raw("PRAGMA page_count").Scan(&pages).Error; err != nil {
		t.Fatal(err)
	}
	limit(strconv.Itoa(pages)) // the file may not grow: a megabyte does not fit in its free pages
	core.MarkDiskFull(app, 1<<20)

	if err := app.Health(ctx); !errors.Is(err, core.ErrDiskFull) {
		t.Fatalf("Health on a full disk = %v, want ErrDiskFull", err)
	}
	limit("1073741823") // room again
	for i := 0; i < 50; i++ {
		if err := app.Health(ctx); !errors.Is(err, core.ErrDiskFull) {
			t.Fatalf("call %d within the second of the last probe = %v: it probed again (want the last probe's answer)", i+1, err)
		}
	}
	clock.Advance(time.Second)
	if err := app.Health(ctx); err != nil {
		t.Fatalf("Health a second later, with room again = %v, want healthy", err)
	}
	if app.DiskFull() {
		t.Error("the disk is still marked full after a probe found room")
	}
}
