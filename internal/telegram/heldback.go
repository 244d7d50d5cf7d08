package telegram

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// heldBack drops from a getUpdates answer the updates already in flight or
// handled. While a chat's update waits for its answer to be paced out, the
// offset stays on it and Telegram answers every later update again at each
// poll, many times a second under load: decoding them all again was most of
// the bot's CPU. Their ids are read with a plain scan of the answer and only
// the new updates are left for tgbotapi to decode. An answer it cannot read
// goes through whole (the dispatcher skips known updates anyway).
type heldBack struct {
	known func(updateID int) bool
	buf   bytes.Buffer // the last answer, reused: it is decoded before the next poll
}

func (h *heldBack) client(next tgbotapi.HTTPClient) tgbotapi.HTTPClient {
	return heldBackClient{h: h, next: next}
}

type heldBackClient struct {
	h    *heldBack
	next tgbotapi.HTTPClient
}

func (c heldBackClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.next.Do(req)
	if err != nil {
		return resp, err
	}
	c.h.buf.Reset()
	_, err = c.h.buf.ReadFrom(resp.Body)
	body := c.h.buf.Bytes()
	if cerr := resp.Body.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read getUpdates answer: %w", err)
	}
	if kept, ok := c.h.filter(body); ok {
		body = kept
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// filter returns body without the known updates of its "result" array; ok
// is false when body is not an answer it can read.
func (h *heldBack) filter(body []byte) (kept []byte, ok bool) {
	start, end, ok := resultArray(body)
	if !ok {
		return nil, false
	}
	var out []byte
	out = append(out, body[:start+1]...) // up to and including '['
	first := true
	i := skipSpace(body, start+1)
	for i < end {
		j, ok := skipValue(body, i)
		if !ok {
			return nil, false
		}
		id, ok := updateID(body[i:j])
		if !ok {
			return nil, false
		}
		if !h.known(id) {
			if !first {
				out = append(out, ',')
			}
			out = append(out, body[i:j]...)
			first = false
		}
		i = skipSpace(body, j)
		if i < end {
			if body[i] != ',' {
				return nil, false
			}
			i = skipSpace(body, i+1)
		}
	}
	out = append(out, body[end:]...) // from ']' on
	return out, true
}

// resultArray finds the top-level "result" array of an answer: the index of
// its '[' and of its ']'.
func resultArray(body []byte) (open, close int, ok bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return 0, 0, false
	}
	i = skipSpace(body, i+1)
	for i < len(body) && body[i] != '}' {
		k, ok := skipValue(body, i)
		if !ok || body[i] != '"' {
			return 0, 0, false
		}
		key := string(body[i:k])
		i = skipSpace(body, k)
		if i >= len(body) || body[i] != ':' {
			return 0, 0, false
		}
		i = skipSpace(body, i+1)
		v, ok := skipValue(body, i)
		if !ok {
			return 0, 0, false
		}
		if key == `"result"` {
			if body[i] != '[' {
				return 0, 0, false
			}
			return i, v - 1, true
		}
		i = skipSpace(body, v)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
		}
	}
	return 0, 0, false
}

// updateID reads the "update_id" Telegram writes first in an update
// ({"update_id":123,…}); ok is false for any other layout.
func updateID(raw []byte) (int, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(`{"update_id":`))
	if !ok {
		return 0, false
	}
	end := bytes.IndexAny(rest, ",}")
	if end <= 0 {
		return 0, false
	}
	id, err := strconv.Atoi(string(rest[:end]))
	return id, err == nil
}

// skipValue returns the index just past the JSON value starting at i.
func skipValue(b []byte, i int) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				j, ok := skipString(b, i)
				if !ok {
					return 0, false
				}
				i = j
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, true
				}
			}
			i++
		}
		return 0, false
	default: // number, true, false, null
		j := i
	scan:
		for ; j < len(b); j++ {
			switch b[j] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				break scan
			}
		}
		return j, j > i
	}
}

// skipString returns the index just past the string starting at i.
func skipString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
