//go:build race

package fleetup

// raceEnabled: this test binary runs under the race detector.
const raceEnabled = true
