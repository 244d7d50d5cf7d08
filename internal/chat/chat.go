// Package chat is what Relais says in a chat, whatever the messenger: a
// message (text, button rows, a message to edit, a file) and a command menu.
// The bot, reminders, digest and follow-ups build these values; a transport
// (internal/telegram) turns them into its own calls.
package chat

// Message is one thing said in a chat: a new message, or an edit in place.
type Message struct {
	ChatID int64
	// Text is plain text, a file's caption. In an edit, no text keeps the
	// message's text and changes its keyboard only.
	Text    string
	Buttons [][]Button // inline keyboard rows; none: no keyboard (an edit removes it)
	Edit    int        // > 0: edit this message in place (text and keyboard)
	File    *File
	// NumberAnswer says the answer is a number typed (« Âge ? »): a
	// messenger without buttons lists the choices by their words and
	// reads a number typed as the answer, never as a choice.
	NumberAnswer bool
	// Asks says the message asks a form's open question: a messenger
	// without buttons reads what is typed next against its choices only,
	// and against none when it has none (the answer is typed).
	Asks bool
}

// Button is an inline keyboard button: callback data, or a link.
type Button struct{ Text, Data, URL string }

// File is a photo or a document sent with a message.
type File struct {
	Name  string
	Data  []byte
	Photo bool // shown as an image rather than as a file
}

// Command is one entry of a chat's command menu ("fiche", "remplir une fiche").
type Command struct{ Name, Description string }
