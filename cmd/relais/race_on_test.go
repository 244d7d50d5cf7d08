//go:build crashloop && race

package main

// raceEnabled: the tests run with -race, and so does the relais they build.
const raceEnabled = true
