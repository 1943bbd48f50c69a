//go:build race

package api_test

// raceDetector: the race detector slows the server several times over, unevenly.
const raceDetector = true
