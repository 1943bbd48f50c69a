// Package flows is the hookflow engine: the flow document, its validation, templates, the node
// kinds and the runner. The server and the browser (wasm) both run flows through this package.
//
// It must stay free of databases, HTTP servers and anything that does not build for js/wasm:
// the caller hands it an Env with the HTTP client, the clock and the flow's input values.
package flows
