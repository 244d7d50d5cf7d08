package telegramtest

import (
	"encoding/json"
	"net/url"
	"strings"
)

// replyMarkup is a parsed reply_markup parameter.
type replyMarkup struct {
	inline   *wireInlineKeyboard // nil when absent or empty
	keyboard [][]string          // a reply keyboard's button texts
	remove   bool                // remove_keyboard
}

// parseReplyMarkup validates reply_markup like Telegram: button texts,
// callback_data of 1 to 64 bytes, URLs.
func parseReplyMarkup(raw string) (replyMarkup, *apiError) {
	var rm replyMarkup
	if raw == "" {
		return rm, nil
	}
	var obj struct {
		InlineKeyboard *[][]wireButton `json:"inline_keyboard"`
		Keyboard       *[][]struct {
			Text string `json:"text"`
		} `json:"keyboard"`
		RemoveKeyboard bool `json:"remove_keyboard"`
		ForceReply     bool `json:"force_reply"`
	}
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return rm, badRequest("can't parse reply keyboard markup JSON object")
	}
	switch {
	case obj.InlineKeyboard != nil:
		count := 0
		var rows [][]wireButton
		for _, row := range *obj.InlineKeyboard {
			if len(row) == 0 {
				continue
			}
			for _, b := range row {
				count++
				if b.Text == "" {
					return rm, badRequest("BUTTON_TEXT_INVALID")
				}
				switch {
				case b.CallbackData != nil:
					if n := len(*b.CallbackData); n < 1 || n > 64 {
						return rm, badRequest("BUTTON_DATA_INVALID")
					}
				case b.URL != nil:
					u, err := url.Parse(*b.URL)
					if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
						return rm, badRequest("BUTTON_URL_INVALID")
					}
				case b.LoginURL != nil, b.SwitchInlineQuery != nil, b.SwitchInlineQueryCurrentChat != nil,
					b.CallbackGame != nil, b.WebApp != nil, b.Pay:
				default:
					return rm, badRequest("text buttons are unallowed in the inline keyboard")
				}
			}
			rows = append(rows, row)
		}
		if count > 100 {
			return rm, badRequest("reply markup is too long")
		}
		if len(rows) > 0 {
			rm.inline = &wireInlineKeyboard{InlineKeyboard: rows}
		}
	case obj.Keyboard != nil:
		for _, row := range *obj.Keyboard {
			var texts []string
			for _, b := range row {
				if strings.TrimSpace(b.Text) == "" {
					return rm, badRequest("BUTTON_TEXT_INVALID")
				}
				texts = append(texts, b.Text)
			}
			rm.keyboard = append(rm.keyboard, texts)
		}
	case obj.RemoveKeyboard:
		rm.remove = true
	case obj.ForceReply:
	default:
		return rm, badRequest("can't parse reply keyboard markup JSON object")
	}
	return rm, nil
}

// sameInline compares two inline keyboards the way "message is not modified" does.
func sameInline(a, b *wireInlineKeyboard) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	if errA != nil || errB != nil { // cannot compare: call it modified
		return false
	}
	return string(ja) == string(jb)
}

func sameEntities(a, b []wireEntity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
