package main

import (
	"log/slog"

	"github.com/hookflow/hookflow/server/secrets"
)

// secretBox loads the key that encrypts secrets at rest: HOOKFLOW_SECRET_KEY, or the key file in
// the data directory, made on first start.
func secretBox(c serveConfig, log *slog.Logger) (*secrets.Box, error) {
	box, source, created, err := secrets.Load(c.SecretKey, c.DataDir)
	if err != nil {
		return nil, err
	}
	if created {
		log.Warn("created a new secret key; back it up: without it the stored API keys cannot be read", "file", source)
	} else {
		log.Info("secrets are encrypted at rest", "key", source)
	}
	return box, nil
}
