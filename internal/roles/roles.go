// Package roles names what someone is in Relais: the role decides which
// commands and buttons they may use, and with their territory (see
// territory.Level) which figures and people they may see.
package roles

// Role is an account's role, as stored in users.role and invitations.role.
type Role string

// The three roles.
const (
	// Admin runs the deployment: every territory, every command.
	Admin Role = "admin"
	// Coordinator follows the mediators of one territory (a region, a
	// département or a structure: their territory.Level).
	Coordinator Role = "coordinator"
	// Mediator holds one mediator post and fills its sheets.
	Mediator Role = "mediator"
)
