//go:build cpuprofile

package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

// A binary built with -tags cpuprofile (scripts/bench-load.sh with PROFILE
// set) writes a CPU profile of its whole run to RELAIS_CPUPROFILE; the
// binaries people run never carry it.
func init() {
	path := os.Getenv("RELAIS_CPUPROFILE")
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "relais: cpu profile: %v\n", err)
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintf(os.Stderr, "relais: cpu profile: %v\n", err)
		return
	}
	stopProfile = func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(os.Stderr, "relais: cpu profile: %v\n", err)
		}
	}
}
