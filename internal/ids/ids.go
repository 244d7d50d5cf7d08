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

// FirstMatrix is the first local number the Matrix transport gives its
// people and chats (migration 00050: one sequence above any Telegram id,
// which stays below 2^53). It is here, not in the transport, because a
// person may be on both messengers (migration 00070) and the store keeps
// at most one account of each for them.
const FirstMatrix int64 = 8_000_000_000_000_000_001

// OnMatrix says whether the account is a Matrix person (a local number),
// not a Telegram account.
func (id TelegramID) OnMatrix() bool { return int64(id) >= FirstMatrix }

// OnMatrix says whether the chat is a Matrix person's direct room.
func (id ChatID) OnMatrix() bool { return int64(id) >= FirstMatrix }
