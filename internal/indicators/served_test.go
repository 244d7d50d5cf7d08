package indicators_test

import "github.com/relais-sante/relais/internal/testenv"

// hdf is the default deployment: the Hauts-de-France alone.
var hdf = testenv.Served("32")
