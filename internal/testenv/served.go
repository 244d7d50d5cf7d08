package testenv

import "github.com/relais-sante/relais/internal/territory"

// Served is the deployment serving the regions of INSEE codes codes, for
// tests (Served("32") is the default deployment, the Hauts-de-France). A
// bad code is the test's own mistake: it panics.
func Served(codes ...string) territory.Served {
	s, err := territory.Serve(codes)
	if err != nil {
		panic(err)
	}
	return s
}
