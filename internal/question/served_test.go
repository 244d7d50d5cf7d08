package question

import "github.com/relais-sante/relais/internal/territory"

// hdf is the default deployment: the Hauts-de-France alone.
var hdf = mustServe("32")

func mustServe(codes ...string) territory.Served {
	s, err := territory.Serve(codes)
	if err != nil {
		panic(err)
	}
	return s
}
