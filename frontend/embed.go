// Package frontend holds the editor's built files (Vite's dist/, with the browser engine under
// dist/engine/) embedded into the hookflow binary, so one process serves the whole product.
//
// `make build` (or `make ui`) fills dist/; before that, `make deps` leaves a one-page placeholder
// so the Go packages still build.
package frontend

import (
	"embed"
	"io/fs"
)

//go:embed all:dist
var dist embed.FS

// Dist is the built editor: index.html at its root, hashed bundles under assets/, the engine
// (worker.js, manifest.json, hookflow.<hash>.wasm with .gz and .br copies) under engine/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // "dist" is a literal directory of the embed above; Sub cannot fail on it
	}
	return sub
}
