package chat

// Event is one thing that happened in a chat, whatever the messenger: a
// message typed or edited, a button pressed, or the bot's own membership
// changed. A transport (internal/telegram) turns what it receives into
// Events; the bot decides what they mean.
type Event struct {
	// ID is the transport's sequence number for this event: delivered
	// again, an event comes back with the same ID, so it is handled once.
	ID         int
	ChatID     int64
	ChatKind   Kind
	SenderID   int64
	SenderName string // first name, for greetings
	// MessageID is the message the event is about: the one typed or
	// edited, or, for a press, the one carrying the button.
	MessageID int
	Text      string // a message's text, untrimmed
	Caption   string // the caption of a message's file
	Edited    bool   // the sender edited an earlier message
	// NoButtons says the messenger shows no buttons (Matrix): every answer
	// is typed and sits below the question, so the bot answers with a new
	// message below it, not with an edit of the question above.
	NoButtons bool
	Press     *Press
	// Attachment is the file a message carries (a photo, a document, a
	// voice or audio message, a video), if any.
	Attachment *Attachment
	// Membership is set when the bot's own place in the chat changed.
	Membership Membership
}

// Kind is the kind of chat an event comes from. Its values are Telegram's
// chat types, which say enough for any messenger.
type Kind string

// Kinds of chat: one person and the bot, or more people.
const (
	Private    Kind = "private"
	Group      Kind = "group"
	Supergroup Kind = "supergroup"
	Channel    Kind = "channel"
)

// Press is an inline keyboard button pressed.
type Press struct {
	Data string // the button's callback data
	// CallbackID acknowledges the press (a transport answers it once).
	CallbackID string
	// MessageText is the text of the message carrying the button.
	MessageText string
}

// Attachment is a file sent by a user: Relais never reads one, it only
// says so.
type Attachment struct {
	Kind   AttachmentKind
	FileID string // the transport's id for fetching it
	Name   string // a document's file name; "" otherwise
}

// AttachmentKind is what a user sent as a file.
type AttachmentKind string

// Kinds of attachment.
const (
	Photo     AttachmentKind = "photo"
	Document  AttachmentKind = "document"
	Voice     AttachmentKind = "voice"
	Audio     AttachmentKind = "audio"
	Video     AttachmentKind = "video"
	VideoNote AttachmentKind = "video_note"
)

// Membership is a change of the bot's own place in a chat.
type Membership string

// Membership changes. In a private chat, removed means the person blocked
// the bot, and joined that they unblocked it.
const (
	Joined  Membership = "joined"  // added (as a member or an administrator), or unblocked
	Left    Membership = "left"    // no longer in the group
	Removed Membership = "removed" // banned from the group, or blocked in a private chat
	Other   Membership = "other"   // restricted, made owner: nothing Relais acts on
)
