package core

import "github.com/hookflow/hookflow/server/store"

// StoreOf is the app's database, for tests that look underneath core's API; the service itself
// reaches the store only through core.
func StoreOf(a *App) *store.Store { return a.store }
