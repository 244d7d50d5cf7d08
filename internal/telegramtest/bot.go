package telegramtest

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bot is one bot hosted by the fake: its token, chats, update queue,
// webhook, commands and flood counters. All methods are safe for concurrent use.
type Bot struct {
	srv   *Server
	token string
	self  wireUser

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	version uint64

	nextUpdateID int
	pending      []queued // unconfirmed updates, in delivery order
	history      map[int]wireUpdate
	allowed      []string
	poller       chan struct{} // closed to end the getUpdates call in progress

	webhook webhookState

	chats    map[int64]*chat
	users    map[int64]*participant
	files    map[string]*storedFile
	paths    map[string]*storedFile
	queries  map[string]*query
	commands map[string][]wireBotCommand

	limitsOn    bool
	limits      Limits
	global      *bucket
	chatBuckets map[int64]*bucket
	faults      []Fault
	stats       Stats
}

// queued is an update waiting for confirmation. A redelivered update is
// sent once more whatever the offset.
type queued struct {
	update      wireUpdate
	redelivered bool
}

type chat struct {
	id       int64
	user     *participant // the other party of a private chat; nil for a group
	messages []*storedMessage
	lastID   int
	blocked  bool

	kind      string // "" (private), "group" or "supergroup"
	title     string // a group's title
	botMember bool   // the bot is in the group
	botAdmin  bool   // the bot is an administrator of the group
}

type storedMessage struct {
	id        int
	fromBot   bool
	sender    *participant // who wrote a group message (nil: the chat's user)
	date      int64
	editDate  int64
	text      string // text, or caption of a document or photo
	entities  []wireEntity
	parseMode string
	markup    *wireInlineKeyboard
	keyboard  [][]string
	document  *storedFile
	photo     *storedFile
	voice     *storedFile
	editCount int
	deleted   bool
	version   uint64 // bot version when last changed
}

type storedFile struct {
	id, uniqueID string
	name, mime   string
	path         string
	data         []byte
	width        int
	height       int
	duration     int // voice messages, in seconds
}

type query struct {
	user     *participant
	answered bool
}

// Stats counts a bot's requests, for tests and benchmarks.
type Stats struct {
	Requests        int            // API calls received
	ByMethod        map[string]int // API calls per method (lower case)
	Messages        int            // messages sent or edited successfully (counted by flood limits)
	TooManyRequests int            // 429 answers given
	ChatTooMany     int            // of those, the ones the bot's rate alone would have let through (a chat's limit)
}

// Fault makes the next Times calls of Method fail with Code and Description
// (Code 0: the connection is dropped without an answer, like a network cut).
type Fault struct {
	Method      string // e.g. "sendMessage"; "" for any method
	Code        int
	Description string
	RetryAfter  int
	Times       int // default 1
	// Delivered carries the call out first (the message reaches the chat)
	// and then answers with the failure: Telegram's front answering 502, or
	// the connection cut, after the request went through. The bot cannot
	// tell whether it was delivered.
	Delivered bool
	// Delay holds the answer back this long (or until the client gives
	// up): with Delivered, a timeout after the message went through.
	Delay time.Duration
}

func (s *Server) addBot(token string, id int64, username string) *Bot {
	t, f := true, false
	b := &Bot{
		srv:     s,
		token:   token,
		self:    wireUser{ID: id, IsBot: true, FirstName: "Relais", Username: username, CanJoinGroups: &t, CanReadAllGroupMessages: &f, SupportsInlineQueries: &f},
		changed: make(chan struct{}),
		// Telegram picks the first update id at random after a quiet period, so a
		// restarted fake never replays ids a bot has already seen.
		nextUpdateID: 100_000_001 + mrand.IntN(800_000_000),
		history:      map[int]wireUpdate{},
		chats:        map[int64]*chat{},
		users:        map[int64]*participant{},
		files:        map[string]*storedFile{},
		paths:        map[string]*storedFile{},
		queries:      map[string]*query{},
		commands:     map[string][]wireBotCommand{},
		limitsOn:     s.opts.limitsOn,
		limits:       s.opts.limits,
		chatBuckets:  map[int64]*bucket{},
		stats:        Stats{ByMethod: map[string]int{}},
	}
	b.global = newBucket(b.limits.GlobalPerSecond, b.limits.GlobalBurst, time.Now())
	s.mu.Lock()
	s.bots[token] = b
	s.mu.Unlock()
	return b
}

// Token is the bot's token.
func (b *Bot) Token() string { return b.token }

// Username is the bot's username, as getMe reports it.
func (b *Bot) Username() string { return b.self.Username }

// Stats returns a copy of the bot's counters.
func (b *Bot) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.stats
	s.ByMethod = make(map[string]int, len(b.stats.ByMethod))
	for k, v := range b.stats.ByMethod {
		s.ByMethod[k] = v
	}
	return s
}

// InjectFault queues a failure for the next calls of a method.
func (b *Bot) InjectFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = append(b.faults, f)
}

// PendingUpdates is the number of updates not yet confirmed by the bot.
func (b *Bot) PendingUpdates() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pending)
}

// Commands returns the bot's command menu for the default scope and no language.
func (b *Bot) Commands() []Command {
	return b.CommandsFor(`{"type":"default"}`, "")
}

// CommandsFor returns the command menu set for a scope (JSON, as sent) and language.
func (b *Bot) CommandsFor(scope, languageCode string) []Command {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []Command
	for _, c := range b.commands[commandKey(scope, languageCode)] {
		out = append(out, Command(c))
	}
	return out
}

// MenuFor is the command menu a Telegram client shows in the private chat
// with user chatID, resolved as the Bot API documents: the chat's own scope,
// then all private chats, then the default scope; in each, the user's
// language first, then no language.
func (b *Bot) MenuFor(chatID int64, languageCode string) []Command {
	scopes := []string{
		fmt.Sprintf(`{"type":"chat","chat_id":%d}`, chatID),
		`{"type":"all_private_chats"}`,
		`{"type":"default"}`,
	}
	for _, scope := range scopes {
		langs := []string{languageCode, ""}
		if languageCode == "" {
			langs = langs[1:]
		}
		for _, lang := range langs {
			if cmds := b.CommandsFor(scope, lang); len(cmds) > 0 {
				return cmds
			}
		}
	}
	return nil
}

// Command is one entry of the bot's command menu.
type Command struct {
	Command     string
	Description string
}

// touch records a change and wakes everyone waiting for one. Callers hold b.mu.
func (b *Bot) touch() {
	b.version++
	close(b.changed)
	b.changed = make(chan struct{})
}

// Version is a counter that grows on every change (message sent, edited,
// update queued, callback answered); see WaitChange.
func (b *Bot) Version() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.version
}

// WaitChange blocks until the version exceeds after, and returns it.
func (b *Bot) WaitChange(ctx context.Context, after uint64) (uint64, error) {
	for {
		b.mu.Lock()
		v, ch := b.version, b.changed
		b.mu.Unlock()
		if v > after {
			return v, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return v, ctx.Err()
		case <-b.srv.closed:
			return v, fmt.Errorf("fake telegram: server closed")
		}
	}
}

// call runs one API method.
func (b *Bot) call(ctx context.Context, method string, p params) (any, *apiError) {
	b.mu.Lock()
	b.stats.Requests++
	b.stats.ByMethod[method]++
	for i, f := range b.faults {
		if f.Method == "" || strings.EqualFold(f.Method, method) {
			b.faults[i].Times--
			if b.faults[i].Times <= 0 {
				b.faults = slices.Delete(b.faults, i, i+1)
			}
			b.mu.Unlock()
			fault := &apiError{code: f.Code, desc: f.Description, retryAfter: f.RetryAfter}
			if f.Delivered {
				if _, aerr := b.dispatch(ctx, method, p); aerr != nil {
					return nil, aerr
				}
			}
			if f.Delay > 0 {
				t := time.NewTimer(f.Delay)
				defer t.Stop()
				select {
				case <-t.C:
				case <-ctx.Done():
				}
			}
			return nil, fault
		}
	}
	b.mu.Unlock()
	return b.dispatch(ctx, method, p)
}

// dispatch carries out one Bot API method.
func (b *Bot) dispatch(ctx context.Context, method string, p params) (any, *apiError) {
	switch method {
	case "getme":
		return b.self, nil
	case "getupdates":
		return b.getUpdates(ctx, p)
	case "sendmessage":
		return b.sendMessage(p)
	case "editmessagetext":
		return b.editMessageText(p)
	case "editmessagereplymarkup":
		return b.editMessageReplyMarkup(p)
	case "editmessagecaption":
		return b.editMessageCaption(p)
	case "deletemessage":
		return b.deleteMessage(p)
	case "answercallbackquery":
		return b.answerCallbackQuery(p)
	case "senddocument":
		return b.sendFile(p, "document")
	case "sendphoto":
		return b.sendFile(p, "photo")
	case "sendchataction":
		return b.sendChatAction(p)
	case "getfile":
		return b.getFile(p)
	case "setmycommands":
		return b.setMyCommands(p)
	case "getmycommands":
		return b.getMyCommands(p)
	case "deletemycommands":
		return b.deleteMyCommands(p)
	case "setwebhook":
		return b.setWebhook(p)
	case "deletewebhook":
		return b.deleteWebhook(p)
	case "getwebhookinfo":
		return b.getWebhookInfo()
	case "leavechat":
		return b.leaveChat(p)
	}
	return nil, &apiError{code: http.StatusNotFound, desc: "Not Found"}
}

// throttle applies the flood limits to one counted message. Callers hold b.mu.
func (b *Bot) throttle(chatID int64) *apiError {
	if !b.limitsOn {
		b.stats.Messages++
		return nil
	}
	now := time.Now()
	cb := b.chatBuckets[chatID]
	if cb == nil {
		if len(b.chatBuckets) > 10_000 {
			for id, old := range b.chatBuckets {
				if old.full(now) {
					delete(b.chatBuckets, id)
				}
			}
		}
		cb = newBucket(b.limits.ChatPerSecond, b.limits.ChatBurst, now)
		b.chatBuckets[chatID] = cb
	}
	global := b.global.wait(now)
	wait := max(global, cb.wait(now))
	if wait > 0 {
		b.stats.TooManyRequests++
		if global == 0 {
			b.stats.ChatTooMany++
		}
		after := int(math.Ceil(wait.Seconds()))
		return &apiError{code: http.StatusTooManyRequests, desc: fmt.Sprintf("Too Many Requests: retry after %d", after), retryAfter: after}
	}
	b.global.take()
	cb.take()
	b.stats.Messages++
	return nil
}

// targetChat resolves chat_id to a private chat the bot may write to. Callers hold b.mu.
func (b *Bot) targetChat(p params) (*chat, *apiError) {
	raw := p.get("chat_id")
	if raw == "" {
		return nil, badRequest("chat_id is empty")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil, badRequest("chat not found")
	}
	c := b.chats[id]
	if c == nil {
		return nil, badRequest("chat not found")
	}
	if c.blocked {
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	}
	if c.kind != "" && !c.botMember {
		return nil, &apiError{code: http.StatusForbidden, desc: "Forbidden: bot is not a member of the " + c.kind + " chat"}
	}
	return c, nil
}

// targetMessage resolves chat_id and message_id for edits. Callers hold b.mu.
func (b *Bot) targetMessage(p params, notFound string) (*chat, *storedMessage, *apiError) {
	if p.get("inline_message_id") != "" {
		return nil, nil, badRequest("MESSAGE_ID_INVALID")
	}
	c, aerr := b.targetChat(p)
	if aerr != nil {
		return nil, nil, aerr
	}
	if p.get("message_id") == "" {
		return nil, nil, badRequest("message identifier is not specified")
	}
	id, err := strconv.Atoi(p.get("message_id"))
	if err != nil {
		return nil, nil, badRequest("message identifier is not specified")
	}
	m := c.message(id)
	if m == nil {
		return nil, nil, badRequest(notFound)
	}
	return c, m, nil
}

func (c *chat) message(id int) *storedMessage {
	for _, m := range c.messages {
		if m.id == id && !m.deleted {
			return m
		}
	}
	return nil
}

// add appends a message to the chat. Callers hold b.mu.
func (b *Bot) add(c *chat, m *storedMessage) *storedMessage {
	c.lastID++
	m.id = c.lastID
	m.date = time.Now().Unix()
	c.messages = append(c.messages, m)
	b.touch()
	m.version = b.version
	return m
}

// format parses a text and its parse mode into what Telegram stores.
func format(text, mode, entitiesJSON string) (formatted, *apiError) {
	var explicit []wireEntity
	if entitiesJSON != "" && mode == "" {
		if err := json.Unmarshal([]byte(entitiesJSON), &explicit); err != nil {
			return formatted{}, badRequest("can't parse entities JSON object")
		}
	}
	f, err := parseFormatted(text, mode, explicit)
	switch err {
	case nil:
		return f, nil
	case errUnsupportedParseMode:
		return f, badRequest("unsupported parse_mode")
	default:
		return f, badRequest("can't parse entities: " + err.Error())
	}
}

const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

func (b *Bot) sendMessage(p params) (any, *apiError) {
	text := p.get("text")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	f, aerr := format(text, p.get("parse_mode"), p.get("entities"))
	if aerr != nil {
		return nil, aerr
	}
	switch n := utf16Len(f.text); {
	case n == 0:
		return nil, badRequest("message text is empty")
	case n > maxTextLen:
		return nil, badRequest("message text is too long")
	}
	rm, aerr := parseReplyMarkup(p.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, aerr := b.targetChat(p)
	if aerr != nil {
		return nil, aerr
	}
	if aerr := b.checkReply(c, p); aerr != nil {
		return nil, aerr
	}
	if aerr := b.throttle(c.id); aerr != nil {
		return nil, aerr
	}
	m := b.add(c, &storedMessage{fromBot: true, text: f.text, entities: f.entities, parseMode: p.get("parse_mode"), markup: rm.inline, keyboard: rm.keyboard})
	return b.wire(c, m), nil
}

func (b *Bot) checkReply(c *chat, p params) *apiError {
	raw := p.get("reply_to_message_id")
	if raw == "" {
		return nil
	}
	id, err := strconv.Atoi(raw)
	if err != nil {
		return badRequest("message to be replied not found")
	}
	if c.message(id) == nil && p.get("allow_sending_without_reply") != "true" {
		return badRequest("message to be replied not found")
	}
	return nil
}

const notModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

func (b *Bot) editMessageText(p params) (any, *apiError) {
	rm, aerr := parseReplyMarkup(p.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, m, aerr := b.targetMessage(p, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if m.document != nil || m.photo != nil {
		return nil, badRequest("there is no text in the message to edit")
	}
	text := p.get("text")
	if text == "" {
		return nil, badRequest("message text is empty")
	}
	f, aerr := format(text, p.get("parse_mode"), p.get("entities"))
	if aerr != nil {
		return nil, aerr
	}
	switch n := utf16Len(f.text); {
	case n == 0:
		return nil, badRequest("message text is empty")
	case n > maxTextLen:
		return nil, badRequest("message text is too long")
	}
	// Without reply_markup, Telegram removes the inline keyboard.
	if f.text == m.text && sameEntities(f.entities, m.entities) && sameInline(rm.inline, m.markup) {
		return nil, badRequest(notModified)
	}
	if aerr := b.throttle(c.id); aerr != nil {
		return nil, aerr
	}
	m.text, m.entities, m.parseMode, m.markup = f.text, f.entities, p.get("parse_mode"), rm.inline
	b.edited(m)
	return b.wire(c, m), nil
}

func (b *Bot) editMessageReplyMarkup(p params) (any, *apiError) {
	rm, aerr := parseReplyMarkup(p.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, m, aerr := b.targetMessage(p, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if sameInline(rm.inline, m.markup) {
		return nil, badRequest(notModified)
	}
	if aerr := b.throttle(c.id); aerr != nil {
		return nil, aerr
	}
	m.markup = rm.inline
	b.edited(m)
	return b.wire(c, m), nil
}

func (b *Bot) editMessageCaption(p params) (any, *apiError) {
	rm, aerr := parseReplyMarkup(p.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	f, aerr := format(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
	if aerr != nil {
		return nil, aerr
	}
	if utf16Len(f.text) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, m, aerr := b.targetMessage(p, "message to edit not found")
	if aerr != nil {
		return nil, aerr
	}
	if !m.fromBot {
		return nil, badRequest("message can't be edited")
	}
	if m.document == nil && m.photo == nil {
		return nil, badRequest("there is no caption in the message to edit")
	}
	if f.text == m.text && sameEntities(f.entities, m.entities) && sameInline(rm.inline, m.markup) {
		return nil, badRequest(notModified)
	}
	if aerr := b.throttle(c.id); aerr != nil {
		return nil, aerr
	}
	m.text, m.entities, m.markup = f.text, f.entities, rm.inline
	b.edited(m)
	return b.wire(c, m), nil
}

// edited records an edit. Callers hold b.mu.
func (b *Bot) edited(m *storedMessage) {
	m.editCount++
	m.editDate = time.Now().Unix()
	b.touch()
	m.version = b.version
}

// deleteMessage follows the Bot API's limits: nothing sent 48 hours ago or
// more; in a private chat both sides' messages; in a group the bot's own,
// and the members' only as an administrator.
func (b *Bot) deleteMessage(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, m, aerr := b.targetMessage(p, "message to delete not found")
	if aerr != nil {
		return nil, aerr
	}
	if time.Since(time.Unix(m.date, 0)) >= 48*time.Hour || (c.kind != "" && !m.fromBot && !c.botAdmin) {
		return nil, badRequest("message can't be deleted")
	}
	m.deleted = true
	b.touch()
	m.version = b.version
	return true, nil
}

func (b *Bot) answerCallbackQuery(p params) (any, *apiError) {
	if len([]rune(p.get("text"))) > 200 {
		return nil, badRequest("MESSAGE_TOO_LONG")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queries[p.get("callback_query_id")]
	if q == nil || q.answered {
		return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
	}
	q.answered = true
	q.user.answers = append(q.user.answers, CallbackAnswer{
		QueryID:   p.get("callback_query_id"),
		Text:      p.get("text"),
		ShowAlert: p.get("show_alert") == "true",
		URL:       p.get("url"),
	})
	b.touch()
	return true, nil
}

func (b *Bot) sendChatAction(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, aerr := b.targetChat(p); aerr != nil {
		return nil, aerr
	}
	if p.get("action") == "" {
		return nil, badRequest("action is empty")
	}
	return true, nil
}

// sendFile implements sendDocument and sendPhoto.
func (b *Bot) sendFile(p params, field string) (any, *apiError) {
	up, uploaded := p.file(field)
	ref := p.get(field)
	if !uploaded && ref == "" {
		return nil, badRequest(fmt.Sprintf("there is no %s in the request", field))
	}
	var width, height int
	if uploaded {
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		if field == "photo" {
			w, h, ok := imageSize(up.data)
			if !ok {
				return nil, badRequest("IMAGE_PROCESS_FAILED")
			}
			width, height = w, h
		}
	}
	f, aerr := format(p.get("caption"), p.get("parse_mode"), p.get("caption_entities"))
	if aerr != nil {
		return nil, aerr
	}
	if utf16Len(f.text) > maxCaptionLen {
		return nil, badRequest("message caption is too long")
	}
	rm, aerr := parseReplyMarkup(p.get("reply_markup"))
	if aerr != nil {
		return nil, aerr
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	c, aerr := b.targetChat(p)
	if aerr != nil {
		return nil, aerr
	}
	var file *storedFile
	if uploaded {
		file = b.storeFile(up, field)
		file.width, file.height = width, height
	} else if file = b.files[ref]; file == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if aerr := b.throttle(c.id); aerr != nil {
		return nil, aerr
	}
	m := &storedMessage{fromBot: true, text: f.text, entities: f.entities, parseMode: p.get("parse_mode"), markup: rm.inline}
	if field == "photo" {
		m.photo = file
	} else {
		m.document = file
	}
	b.add(c, m)
	return b.wire(c, m), nil
}

// storeFile keeps an uploaded file under a new file_id. Callers hold b.mu.
func (b *Bot) storeFile(up upload, kind string) *storedFile {
	var rnd [12]byte
	mustRandom(rnd[:])
	id := "BQAC" + hex.EncodeToString(rnd[:])
	name := up.name
	mimeType := mimeFor(name, up.mime)
	f := &storedFile{
		id:       id,
		uniqueID: "AgAD" + hex.EncodeToString(rnd[:6]),
		name:     name,
		mime:     mimeType,
		path:     fmt.Sprintf("%ss/file_%d%s", kind, len(b.files), extOf(name)),
		data:     up.data,
	}
	b.files[id] = f
	b.paths[f.path] = f
	return f
}

func (b *Bot) fileByPath(path string) *storedFile {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.paths[path]
}

func (b *Bot) getFile(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.files[p.get("file_id")]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	return wireFile{FileID: f.id, FileUniqueID: f.uniqueID, FileSize: len(f.data), FilePath: f.path}, nil
}

func commandKey(scope, lang string) string {
	if scope == "" {
		scope = `{"type":"default"}`
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(scope), &obj); err == nil {
		if norm, err := json.Marshal(obj); err == nil {
			scope = string(norm)
		}
	}
	return scope + "|" + lang
}

func (b *Bot) setMyCommands(p params) (any, *apiError) {
	var cmds []wireBotCommand
	if err := json.Unmarshal([]byte(p.get("commands")), &cmds); err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, c := range cmds {
		if !commandPattern(c.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(c.Description)); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.commands[commandKey(p.get("scope"), p.get("language_code"))] = cmds
	b.touch()
	return true, nil
}

func commandPattern(c string) bool {
	if len(c) < 1 || len(c) > 32 {
		return false
	}
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if !('a' <= ch && ch <= 'z' || '0' <= ch && ch <= '9' || ch == '_') {
			return false
		}
	}
	return true
}

func (b *Bot) getMyCommands(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cmds := b.commands[commandKey(p.get("scope"), p.get("language_code"))]
	if cmds == nil {
		cmds = []wireBotCommand{}
	}
	return cmds, nil
}

func (b *Bot) deleteMyCommands(p params) (any, *apiError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.commands, commandKey(p.get("scope"), p.get("language_code")))
	b.touch()
	return true, nil
}

// wire renders a stored message as the Bot API sends it. Callers hold b.mu.
func (b *Bot) wire(c *chat, m *storedMessage) *wireMessage {
	w := &wireMessage{
		MessageID:   m.id,
		Chat:        b.wireChat(c),
		Date:        m.date,
		EditDate:    m.editDate,
		ReplyMarkup: m.markup,
	}
	if m.fromBot {
		self := b.self
		self.CanJoinGroups, self.CanReadAllGroupMessages, self.SupportsInlineQueries = nil, nil, nil
		w.From = &self
	} else {
		from := c.user
		if m.sender != nil {
			from = m.sender
		}
		u := from.info
		w.From = &u
	}
	switch {
	case m.document != nil:
		w.Caption, w.CaptionEntities = m.text, m.entities
		w.Document = &wireDocument{FileID: m.document.id, FileUniqueID: m.document.uniqueID, FileName: m.document.name, MimeType: m.document.mime, FileSize: len(m.document.data)}
	case m.photo != nil:
		w.Caption, w.CaptionEntities = m.text, m.entities
		w.Photo = []wirePhotoSize{{FileID: m.photo.id, FileUniqueID: m.photo.uniqueID, Width: m.photo.width, Height: m.photo.height, FileSize: len(m.photo.data)}}
	case m.voice != nil:
		w.Voice = &wireVoice{FileID: m.voice.id, FileUniqueID: m.voice.uniqueID, Duration: m.voice.duration, MimeType: m.voice.mime, FileSize: len(m.voice.data)}
	default:
		w.Text, w.Entities = m.text, m.entities
	}
	return w
}
