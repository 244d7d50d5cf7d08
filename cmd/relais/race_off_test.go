//go:build crashloop && !race

package main

const raceEnabled = false
