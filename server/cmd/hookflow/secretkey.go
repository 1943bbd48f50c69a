package main

import (
	"log/slog"
	"os"

	"github.com/hookflow/hookflow/server/secrets"
)

// secretBox loads the key that encrypts secrets at rest: HOOKFLOW_SECRET_KEY, or the key file in
// the data directory, made on first start. discard removes a key file made by this call: a start
// refused later (the key does not open the stored secrets) must not leave behind a key that the
// next start would take as the instance's own.
func secretBox(c serveConfig, log *slog.Logger) (box *secrets.Box, discard func(), err error) {
	box, source, created, err := secrets.Load(c.SecretKey, c.DataDir)
	if err != nil {
		return nil, nil, err
	}
	discard = func() {}
	if created {
		log.Warn("created a new secret key; back it up: without it the stored API keys cannot be read", "file", source)
		discard = func() {
			if err := os.Remove(source); err != nil {
				log.Error("removing the secret key file made by this refused start", "file", source, "err", err)
			}
		}
	} else {
		log.Info("secrets are encrypted at rest", "key", source)
	}
	return box, discard, nil
}
