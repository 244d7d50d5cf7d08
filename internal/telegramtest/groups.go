package telegramtest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Groups: Telegram delivers messages from groups and supergroups the bot is a
// member of, tells the bot with a my_chat_member update when someone adds or
// removes it, and lets the bot leave with leaveChat. Relais works in private
// chats only; the fake has groups so tests can prove it.

// Group is a group or supergroup chat of the fake.
type Group struct {
	bot *Bot
	id  int64
	t   testing.TB
}

// NewGroup creates a group (supergroup when super) with a negative id, as
// Telegram's group ids are. member makes the bot already a member, as when
// it was added before the bot last read its updates.
func (b *Bot) NewGroup(id int64, title string, super, member bool) *Group {
	if id >= 0 {
		panic("telegramtest: group ids are negative")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	kind := "group"
	if super {
		kind = "supergroup"
	}
	if b.chats[id] == nil {
		b.chats[id] = &chat{id: id, kind: kind, title: title, botMember: member}
	}
	return &Group{bot: b, id: id, t: b.srv.t}
}

// NewGroup creates a group of the default bot; see Bot.NewGroup.
func (s *Server) NewGroup(id int64, title string, super, member bool) *Group {
	return s.def.NewGroup(id, title, super, member)
}

// ID is the group's chat id.
func (g *Group) ID() int64 { return g.id }

// AddBot makes by add the bot to the group: the bot becomes a member and
// receives a my_chat_member update. Returns its update_id.
func (g *Group) AddBot(by *User) int {
	return g.bot.memberChange(g.id, by.participant, "left", "member")
}

// IsBotMember says whether the bot is (still) in the group.
func (g *Group) IsBotMember() bool {
	g.bot.mu.Lock()
	defer g.bot.mu.Unlock()
	return g.bot.chats[g.id].botMember
}

// BotMessages are the messages the bot sent to the group, oldest first.
func (g *Group) BotMessages() []Message {
	var out []Message
	for _, m := range g.bot.ChatMessages(g.id) {
		if m.FromBot {
			out = append(out, m)
		}
	}
	return out
}

// SendIn makes the user type text in a group; the bot receives it only if
// it is a member. Returns the update_id (0 when the bot is not there).
func (u *User) SendIn(g *Group, text string) int {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[g.id]
	m := b.add(c, &storedMessage{sender: u.participant, text: text, entities: commandEntities(text)})
	if !c.botMember {
		return 0
	}
	id := b.enqueue(wireUpdate{Message: b.wire(c, m)})
	u.lastUpdate = id
	u.mark = b.version
	return id
}

// PressData sends a callback query with arbitrary data on one of the bot's
// messages in the user's chat, as a modified client can: Telegram does not
// check that the data belongs to a button of that message. Returns the
// update_id.
func (u *User) PressData(messageID int, data string) int {
	b := u.bot
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[u.info.ID]
	m := c.message(messageID)
	if m == nil {
		u.fatalf("telegramtest: no message %d in chat %d", messageID, u.info.ID)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		u.fatalf("telegramtest: random query id: %v", err)
	}
	qid := hex.EncodeToString(rnd[:])
	b.queries[qid] = &query{user: u.participant}
	id := b.enqueue(wireUpdate{CallbackQuery: &wireCallbackQuery{
		ID: qid, From: u.info, Message: b.wire(c, m),
		ChatInstance: fmt.Sprintf("-%d", 4_000_000_000_000_000_000+u.info.ID),
		Data:         data,
	}})
	u.lastUpdate = id
	u.mark = b.version
	return id
}

// memberChange records the bot's new status in a group and queues the
// my_chat_member update Telegram sends about it.
func (b *Bot) memberChange(chatID int64, by *participant, from, to string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.chats[chatID]
	c.botMember = to == "member" || to == "administrator"
	c.botAdmin = to == "administrator"
	self := b.self
	self.CanJoinGroups, self.CanReadAllGroupMessages, self.SupportsInlineQueries = nil, nil, nil
	return b.enqueue(wireUpdate{MyChatMember: &wireMemberUpdate{
		Chat:          b.wireChat(c),
		From:          by.info,
		Date:          time.Now().Unix(),
		OldChatMember: wireChatMember{Status: from, User: self},
		NewChatMember: wireChatMember{Status: to, User: self},
	}})
}

// leaveChat implements the Bot API method: the bot leaves a group. In a
// private chat Telegram refuses.
func (b *Bot) leaveChat(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	id, err := strconv.ParseInt(p.get("chat_id"), 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := b.chats[id]
	switch {
	case c == nil:
		return nil, badRequest("chat not found")
	case c.kind == "":
		return nil, badRequest("chat member status can't be changed in private chats")
	case !c.botMember:
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot is not a member of the " + c.kind + " chat"}
	}
	c.botMember, c.botAdmin = false, false
	b.touch()
	return true, nil
}

// wireChat is the chat object of c. Callers hold b.mu.
func (b *Bot) wireChat(c *chat) wireChat {
	if c.kind != "" {
		return wireChat{ID: c.id, Type: c.kind, Title: c.title}
	}
	return wireChat{ID: c.id, Type: "private", FirstName: c.user.info.FirstName, LastName: c.user.info.LastName, Username: c.user.info.Username}
}

// PromoteBot makes by an administrator of the group the bot is in: Telegram
// sends a my_chat_member update (member → administrator).
func (g *Group) PromoteBot(by *User) int {
	return g.bot.memberChange(g.id, by.participant, "member", "administrator")
}
