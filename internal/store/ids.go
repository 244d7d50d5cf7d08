package store

import "github.com/relais-sante/relais/internal/ids"

// The ids are named in internal/ids; these aliases keep code written
// against the store's names compiling.
type (
	// Deprecated: use ids.TelegramID.
	TelegramID = ids.TelegramID
	// Deprecated: use ids.ChatID.
	ChatID = ids.ChatID
	// Deprecated: use ids.MediatorID.
	MediatorID = ids.MediatorID
)
