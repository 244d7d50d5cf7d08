package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/redis/go-redis/v9"
)

// EraseCode deletes every key under the prefix that names a beneficiary
// code (an erasure request): above all the drafts of forms in progress,
// which hold the person's code and would bring them back when resumed. The
// code is matched as the bot reads it, in any case, not extended by an ASCII
// letter or digit, in the key's name and its value (every string of a JSON
// value). It returns how many keys it deleted.
func (k Keyspace) EraseCode(ctx context.Context, code string) (int64, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return 0, nil
	}
	// The draft the update saved goes to Redis first, to be erased
	// there if it names the code; then any draft or prompt may go.
	if err := flushPending(ctx, k.rdb); err != nil {
		return 0, fmt.Errorf("erase code: %w", err)
	}
	forgetSnapshot(ctx)
	// Codes are ASCII letters and digits: only those extend one
	// (« suivi_k7m2qx » names K7M2QX, « XK7M2QX » is another code).
	word := regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9])` + regexp.QuoteMeta(code) + `(?:$|[^A-Za-z0-9])`)
	var erased int64
	iter := k.rdb.Scan(ctx, 0, PrefixPattern(k.prefix), 500).Iterator()
	for iter.Next(ctx) {
		key := iter.Val()
		values, err := k.values(ctx, key)
		if err != nil {
			return erased, fmt.Errorf("erase code: read %s: %w", key, err)
		}
		if !word.MatchString(key) && !anyMentions(word, values) {
			continue
		}
		_, err = k.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, key)
			if m, ok := strings.CutPrefix(key, k.prefix+"draft:"); ok {
				p.ZRem(ctx, k.Drafts().indexKey(), m)
			}
			return nil
		})
		if err != nil {
			return erased, fmt.Errorf("erase code: delete %s: %w", key, err)
		}
		erased++
	}
	if err := iter.Err(); err != nil {
		return erased, fmt.Errorf("erase code: list keys: %w", err)
	}
	return erased, nil
}

// values reads what key holds, whatever its type; nothing once it is gone.
func (k Keyspace) values(ctx context.Context, key string) ([]string, error) {
	typ, err := k.rdb.Type(ctx, key).Result()
	if err != nil {
		return nil, err
	}
	var vs []string
	switch typ {
	case "string":
		v, err := k.rdb.Get(ctx, key).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		vs = []string{v}
	case "hash":
		var m map[string]string
		m, err = k.rdb.HGetAll(ctx, key).Result()
		for k, v := range m {
			vs = append(vs, k, v)
		}
	case "list":
		vs, err = k.rdb.LRange(ctx, key, 0, -1).Result()
	case "set":
		vs, err = k.rdb.SMembers(ctx, key).Result()
	case "zset":
		vs, err = k.rdb.ZRange(ctx, key, 0, -1).Result()
	}
	return vs, err
}

// anyMentions tells whether one of values names the code: a JSON value (a
// draft) by each of its strings, decoded ("\nK7M2QX" in JSON is a line
// break then the code), other values as they are.
func anyMentions(word *regexp.Regexp, values []string) bool {
	for _, v := range values {
		var doc any
		if json.Unmarshal([]byte(v), &doc) == nil {
			if jsonMentions(word, doc) {
				return true
			}
			continue
		}
		if word.MatchString(v) {
			return true
		}
	}
	return false
}

func jsonMentions(word *regexp.Regexp, doc any) bool {
	switch d := doc.(type) {
	case string:
		return word.MatchString(d)
	case []any:
		for _, e := range d {
			if jsonMentions(word, e) {
				return true
			}
		}
	case map[string]any:
		for k, e := range d {
			if word.MatchString(k) || jsonMentions(word, e) {
				return true
			}
		}
	}
	return false
}

// PrefixPattern is the SCAN MATCH pattern of every key under prefix, the
// characters MATCH reads specially quoted.
func PrefixPattern(prefix string) string { return globEscape(prefix) + "*" }

// globEscape quotes the characters SCAN's MATCH pattern reads specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
