package bot

import (
	"testing"

	"github.com/relais-sante/relais/internal/chat"
)

// The bot reads private chats only, and reads a message's text trimmed, an
// edit's caption with its text, a file as a file (its caption unread).
func TestEventOfChatEvents(t *testing.T) {
	t.Parallel()
	base := chat.Event{ID: 9, ChatID: 7, ChatKind: chat.Private, SenderID: 7, SenderName: "Awa", MessageID: 3}
	with := func(f func(*chat.Event)) chat.Event { e := base; f(&e); return e }
	refused := map[string]chat.Event{
		"group":           with(func(e *chat.Event) { e.ChatKind = chat.Group; e.ChatID = -5 }),
		"supergroup":      with(func(e *chat.Event) { e.ChatKind = chat.Supergroup }),
		"someone else's":  with(func(e *chat.Event) { e.SenderID = 8 }),
		"membership":      with(func(e *chat.Event) { e.Membership = chat.Joined }),
		"blocked the bot": with(func(e *chat.Event) { e.Membership = chat.Removed }),
	}
	for name, in := range refused {
		if ev, ok := eventOf(in); ok {
			t.Errorf("%s: got event %+v", name, ev)
		}
	}

	ev, ok := eventOf(with(func(e *chat.Event) { e.Text = "  /fiche \n" }))
	if !ok || ev.text != "/fiche" || ev.typedID != 3 || ev.messageID != 0 || ev.updateID != 9 || ev.userID != 7 || ev.chatID != 7 || ev.firstName != "Awa" || ev.media || ev.edited || ev.callback != "" {
		t.Errorf("text: %+v", ev)
	}
	ev, _ = eventOf(with(func(e *chat.Event) { e.Caption = "Mme X"; e.Attachment = &chat.Attachment{Kind: chat.Photo} }))
	if !ev.media || ev.text != "" {
		t.Errorf("photo: %+v", ev)
	}
	ev, _ = eventOf(with(func(e *chat.Event) { e.Text, e.Caption, e.Edited = "3 ", "pers ", true }))
	if !ev.edited || ev.text != "3 pers" || ev.typedID != 3 {
		t.Errorf("edit: %+v", ev)
	}
	ev, _ = eventOf(with(func(e *chat.Event) {
		e.Press = &chat.Press{Data: "r:1:res", CallbackID: "cb", MessageText: "Vos demandes"}
	}))
	if ev.data != "r:1:res" || ev.callback != "cb" || ev.messageID != 3 || ev.typedID != 0 || ev.pressedText != "Vos demandes" || ev.answered == nil || *ev.answered {
		t.Errorf("press: %+v", ev)
	}
}
