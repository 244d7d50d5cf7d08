// Package ids gives the ids of accounts, chats and mediator posts their own
// types, in a leaf package so that every floor can name them without
// importing the store.
package ids

// Three ids travel together through every handler and are all int64 in
// Telegram and PostgreSQL; their own types let the compiler catch one passed
// for another (a chat answered with a mediator's post id, say).
type (
	// TelegramID is the Telegram account that writes or presses: it decides
	// who someone is, and so what they may see.
	TelegramID int64
	// ChatID is where the bot answers (the private chat with the account).
	ChatID int64
	// MediatorID is a mediator post (mediators.id): sheets, requests and
	// reviews belong to the post, which outlives the account holding it.
	MediatorID int64
)
