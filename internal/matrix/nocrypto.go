//go:build !goolm

package matrix

import (
	"context"
	"errors"
	"log/slog"

	"github.com/rs/zerolog"
	"go.mau.fi/util/dbutil"
	"maunium.net/go/mautrix"
)

// E2EEAvailable says whether this build can encrypt: Relais is built with
// the goolm tag (mautrix's pure-Go Olm, no cgo). Without it, the Matrix
// transport refuses to start rather than speak in clear.
const E2EEAvailable = false

func newEngine(context.Context, *mautrix.Client, *dbutil.Database, []byte, zerolog.Logger, *slog.Logger) (engine, error) {
	return nil, errors.New("matrix: this build has no end-to-end encryption: build Relais with -tags goolm (make build does)")
}
