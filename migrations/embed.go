// Package migrations embeds the SQL schema so the binary can apply it itself.
package migrations

import "embed"

// FS holds the goose migrations, applied in file-name order.
//
//go:embed *.sql
var FS embed.FS
