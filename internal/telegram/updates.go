package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// updatesClient asks Telegram for updates and decodes only the new ones.
// While a chat's update waits for its answer to be paced out, the offset
// stays on it and Telegram answers every later update again at each poll,
// many times a second under load: decoding them all again was most of the
// bot's CPU. tgbotapi's generic path then cost as much again per poll (the
// parameters marshalled to JSON and encoded, the answer decoded twice, the
// updates already in flight scanned value by value): here the request body
// is written directly, the ids are found with a search for Telegram's
// `{"update_id":` (a string's quotes are escaped, so it can start nothing
// but an update), and only the updates not known yet are decoded. An
// answer laid out otherwise, or an error, is decoded whole, as tgbotapi
// would (the dispatcher skips the known updates itself).
type updatesClient struct {
	url     string // the getUpdates URL, as tgbotapi builds it (it holds the token)
	client  tgbotapi.HTTPClient
	allowed string // allowed_updates, encoded as tgbotapi sends it
	known   func(updateID int) bool

	req  []byte       // the request body, reused
	resp bytes.Buffer // the last answer, reused: decoded before the next poll
}

// newUpdatesClient returns the client of api's getUpdates; known tells the
// updates in flight or handled.
func newUpdatesClient(api *tgbotapi.BotAPI, allowed []string, known func(int) bool) (*updatesClient, error) {
	u, err := methodURL(api, "getUpdates")
	if err != nil {
		return nil, err
	}
	// tgbotapi sends allowed_updates always, as JSON ("null" when unset).
	a, err := json.Marshal(allowed)
	if err != nil {
		return nil, fmt.Errorf("allowed updates: %w", err)
	}
	return &updatesClient{url: u, client: httpClient(api), allowed: url.QueryEscape(string(a)), known: known}, nil
}

// errURLCaught stops the request urlCatcher was given.
var errURLCaught = errors.New("url caught")

// urlCatcher records the URL of the request tgbotapi makes, and sends nothing.
type urlCatcher struct{ url string }

func (c *urlCatcher) Do(req *http.Request) (*http.Response, error) {
	c.url = req.URL.String()
	return nil, errURLCaught
}

// methodURL is the URL tgbotapi calls for method: its endpoint is not
// exported, so it is taken from a request stopped before it is sent.
func methodURL(api *tgbotapi.BotAPI, method string) (string, error) {
	c := &urlCatcher{}
	if _, err := withClient(api, c).MakeRequest(method, nil); !errors.Is(err, errURLCaught) {
		return "", fmt.Errorf("telegram: %s URL: %w", method, scrub(err, api.Token))
	}
	return c.url, nil
}

// get asks for the updates from offset (Telegram waits up to timeout
// seconds for one) and returns the ones not known yet.
func (c *updatesClient) get(ctx context.Context, offset, limit, timeout int) ([]tgbotapi.Update, error) {
	// The parameters of tgbotapi's UpdateConfig, in url.Values' order;
	// zeros are left out as it does.
	b := append(c.req[:0], "allowed_updates="...)
	b = append(b, c.allowed...)
	for _, p := range [...]struct {
		key string
		v   int
	}{{"&limit=", limit}, {"&offset=", offset}, {"&timeout=", timeout}} {
		if p.v != 0 {
			b = append(b, p.key...)
			b = strconv.AppendInt(b, int64(p.v), 10)
		}
	}
	c.req = b
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("getUpdates request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	c.resp.Reset()
	_, err = c.resp.ReadFrom(resp.Body)
	if cerr := resp.Body.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("read getUpdates answer: %w", err)
	}
	return c.decode(c.resp.Bytes())
}

// decode returns the updates of a getUpdates answer that are not known yet
// (all of them when the answer is laid out otherwise than Telegram's), or
// the error it carries, as tgbotapi.Error.
func (c *updatesClient) decode(body []byte) ([]tgbotapi.Update, error) {
	if updates, ok := c.newUpdates(body); ok {
		return updates, nil
	}
	var resp tgbotapi.APIResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("decode getUpdates answer: %w", err)
	}
	if !resp.Ok {
		var params tgbotapi.ResponseParameters
		if resp.Parameters != nil {
			params = *resp.Parameters
		}
		return nil, &tgbotapi.Error{Code: resp.ErrorCode, Message: resp.Description, ResponseParameters: params}
	}
	var updates []tgbotapi.Update
	if err := json.Unmarshal(resp.Result, &updates); err != nil {
		return nil, fmt.Errorf("decode updates: %w", err)
	}
	return updates, nil
}

var (
	answerHead  = []byte(`{"ok":true,"result":[`)
	answerTail  = []byte(`]}`)
	updateStart = []byte(`{"update_id":`)
)

// newUpdates reads an answer laid out as Telegram writes it,
// {"ok":true,"result":[{"update_id":1,…},…]}, and decodes the updates not
// known; ok is false for any other layout, or an update it cannot decode.
func (c *updatesClient) newUpdates(body []byte) (updates []tgbotapi.Update, ok bool) {
	rest, ok := bytes.CutPrefix(body, answerHead)
	if !ok {
		return nil, false
	}
	rest, ok = bytes.CutSuffix(bytes.TrimRight(rest, " \t\r\n"), answerTail)
	if !ok {
		return nil, false
	}
	rest = bytes.TrimSpace(rest)
	for len(rest) > 0 {
		if !bytes.HasPrefix(rest, updateStart) {
			return nil, false
		}
		// This update ends where the next one starts.
		item, next := rest, []byte(nil)
		if i := bytes.Index(rest[len(updateStart):], updateStart); i >= 0 {
			item, next = rest[:len(updateStart)+i], rest[len(updateStart)+i:]
			item, ok = bytes.CutSuffix(bytes.TrimRight(item, " \t\r\n"), []byte(","))
			if !ok {
				return nil, false
			}
		}
		item = bytes.TrimRight(item, " \t\r\n")
		if !bytes.HasSuffix(item, []byte("}")) {
			return nil, false
		}
		id, ok := leadingID(item[len(updateStart):])
		if !ok {
			return nil, false
		}
		if !c.known(id) {
			var u tgbotapi.Update
			if err := json.Unmarshal(item, &u); err != nil || u.UpdateID != id {
				return nil, false
			}
			updates = append(updates, u)
		}
		rest = next
	}
	return updates, true
}

// leadingID reads the number b starts with, up to ',' or '}'.
func leadingID(b []byte) (int, bool) {
	end := bytes.IndexAny(b, ",}")
	if end <= 0 {
		return 0, false
	}
	id, err := strconv.Atoi(string(bytes.TrimSpace(b[:end])))
	return id, err == nil
}
