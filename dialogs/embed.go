// Package dialogs holds the forms the bot runs (one YAML file per form),
// embedded in the binary so a deployment cannot miss one.
package dialogs

import "embed"

// FS holds the *.yaml forms; load them with forms.LoadFS(dialogs.FS, ".").
//
//go:embed *.yaml
var FS embed.FS
