//go:build !race

package flows

const raceDetector = false
