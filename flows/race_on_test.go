//go:build race

package flows

// raceDetector: the race detector slows the engine's allocations several times over.
const raceDetector = true
