package telegramtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Telegram measures texts and entity offsets in UTF-16 code units, after the
// parse_mode markup has been turned into plain text plus entities. The parsers
// here do the same, and fail with the descriptions Telegram uses, so a
// forgotten escape in a French sentence ("Merci.") breaks in tests as it would
// in production.

// formatted is a message text after entity parsing.
type formatted struct {
	text     string
	entities []wireEntity
}

// errParse carries the part of a "can't parse entities" description after the colon.
type errParse struct{ msg string }

func (e errParse) Error() string { return e.msg }

func parseErr(format string, args ...any) error {
	return errParse{msg: fmt.Sprintf(format, args...)}
}

// utf16Len is the length Telegram counts for a text.
func utf16Len(s string) int {
	n := 0
	for _, r := range s { // invalid UTF-8 decodes to U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// output accumulates plain text while tracking its UTF-16 length.
type output struct {
	b   strings.Builder
	u16 int
}

func (o *output) rune(r rune) {
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	o.b.WriteRune(r)
	o.u16 += utf16.RuneLen(r)
}

func (o *output) str(s string) {
	for _, r := range s {
		o.rune(r)
	}
}

// parseFormatted turns text sent with parse_mode into what Telegram stores.
// explicit are entities given through the "entities" parameter, used when no
// parse mode is set.
func parseFormatted(text, mode string, explicit []wireEntity) (formatted, error) {
	var f formatted
	var err error
	switch strings.ToLower(mode) {
	case "":
		f = formatted{text: text, entities: explicit}
	case "html":
		f, err = parseHTML(text)
	case "markdownv2":
		f, err = parseMarkdownV2(text)
	case "markdown":
		f, err = parseMarkdown(text)
	default:
		return f, errUnsupportedParseMode
	}
	if err != nil {
		return f, err
	}
	return trimFormatted(f), nil
}

var errUnsupportedParseMode = errors.New("unsupported parse_mode")

// trimFormatted drops leading and trailing white space as Telegram does,
// shifting and clipping the entities accordingly.
func trimFormatted(f formatted) formatted {
	trimmedLeft := strings.TrimLeftFunc(f.text, unicode.IsSpace)
	shift := utf16Len(f.text[:len(f.text)-len(trimmedLeft)])
	text := strings.TrimRightFunc(trimmedLeft, unicode.IsSpace)
	limit := utf16Len(text)
	var ents []wireEntity
	for _, e := range f.entities {
		start := max(e.Offset-shift, 0)
		end := min(e.Offset+e.Length-shift, limit)
		if end <= start {
			continue
		}
		e.Offset, e.Length = start, end-start
		ents = append(ents, e)
	}
	return formatted{text: text, entities: ents}
}

var htmlEntityTypes = map[string]string{
	"b": "bold", "strong": "bold",
	"i": "italic", "em": "italic",
	"u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
	"tg-spoiler": "spoiler", "span": "spoiler",
	"a":          "text_link",
	"code":       "code",
	"pre":        "pre",
	"blockquote": "blockquote",
	"tg-emoji":   "custom_emoji",
}

// parseHTML implements Telegram's HTML parse mode.
func parseHTML(s string) (formatted, error) {
	type openTag struct {
		name  string
		start int
		ent   wireEntity
	}
	var (
		out   output
		stack []openTag
		ents  []wireEntity
	)
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return formatted{}, parseErr("Unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return formatted{}, parseErr("Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if name != top.name {
					return formatted{}, parseErr("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.name, name)
				}
				stack = stack[:len(stack)-1]
				if top.ent.Type != "" && out.u16 > top.start {
					top.ent.Offset, top.ent.Length = top.start, out.u16-top.start
					ents = append(ents, top.ent)
				}
			} else {
				name, attrs, err := parseHTMLTag(tag, i)
				if err != nil {
					return formatted{}, err
				}
				typ, ok := htmlEntityTypes[name]
				if !ok {
					return formatted{}, parseErr("Unsupported start tag \"%s\" at byte offset %d", name, i)
				}
				ent := wireEntity{Type: typ}
				switch name {
				case "span":
					if attrs["class"] != "tg-spoiler" {
						return formatted{}, parseErr("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", i)
					}
				case "a":
					href, ok := attrs["href"]
					if !ok {
						ent.Type = ""
					}
					ent.URL = href
				case "code":
					// <pre><code class="language-go"> sets the pre's language.
					if n := len(stack); n > 0 && stack[n-1].name == "pre" {
						stack[n-1].ent.Language = strings.TrimPrefix(attrs["class"], "language-")
						ent.Type = ""
					}
				}
				stack = append(stack, openTag{name: name, start: out.u16, ent: ent})
			}
			i += j + 1
		case '&':
			if r, n, ok := htmlCharRef(s[i:]); ok {
				out.rune(r)
				i += n
				continue
			}
			out.rune('&')
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out.rune(r)
			i += size
		}
	}
	if len(stack) > 0 {
		return formatted{}, parseErr("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	return formatted{text: out.b.String(), entities: sortEntities(ents)}, nil
}

// parseHTMLTag splits `a href="x"` into its name and attributes.
func parseHTMLTag(tag string, offset int) (string, map[string]string, error) {
	name := tag
	rest := ""
	if k := strings.IndexFunc(tag, unicode.IsSpace); k >= 0 {
		name, rest = tag[:k], tag[k:]
	}
	name = strings.ToLower(name)
	attrs := map[string]string{}
	for {
		rest = strings.TrimSpace(rest)
		if rest == "" || rest == "/" {
			return name, attrs, nil
		}
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return "", nil, parseErr("Expected equal sign in declaration of an attribute of the tag at byte offset %d", offset)
		}
		key := strings.ToLower(strings.TrimSpace(rest[:eq]))
		rest = strings.TrimSpace(rest[eq+1:])
		var val string
		if rest != "" && (rest[0] == '"' || rest[0] == '\'') {
			end := strings.IndexByte(rest[1:], rest[0])
			if end < 0 {
				return "", nil, parseErr("Unclosed end of an attribute value at byte offset %d", offset)
			}
			val, rest = rest[1:end+1], rest[end+2:]
		} else {
			end := strings.IndexFunc(rest, unicode.IsSpace)
			if end < 0 {
				end = len(rest)
			}
			val, rest = rest[:end], rest[end:]
		}
		if decoded, err := decodeHTMLText(val); err == nil {
			val = decoded
		}
		attrs[key] = val
	}
}

func decodeHTMLText(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if r, n, ok := htmlCharRef(s[i:]); ok {
				b.WriteRune(r)
				i += n
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), nil
}

// htmlCharRef decodes &lt; &gt; &amp; &quot; and numeric references, the
// only ones Telegram supports.
func htmlCharRef(s string) (rune, int, bool) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0, false
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1, true
	case "gt":
		return '>', end + 1, true
	case "amp":
		return '&', end + 1, true
	case "quot":
		return '"', end + 1, true
	}
	if strings.HasPrefix(name, "#") {
		num := name[1:]
		base := 10
		if strings.HasPrefix(num, "x") || strings.HasPrefix(num, "X") {
			num, base = num[1:], 16
		}
		v, err := strconv.ParseUint(num, base, 32)
		if err != nil || !utf8.ValidRune(rune(v)) || v == 0 {
			return 0, 0, false
		}
		return rune(v), end + 1, true
	}
	return 0, 0, false
}

var markdownV2Names = map[string]string{
	"bold": "Bold", "italic": "Italic", "underline": "Underline",
	"strikethrough": "Strikethrough", "spoiler": "Spoiler", "text_link": "TextUrl",
	"blockquote": "Blockquote",
}

// parseMarkdownV2 implements Telegram's MarkdownV2 parse mode.
func parseMarkdownV2(s string) (formatted, error) {
	type openEnt struct {
		typ    string
		start  int
		offset int
	}
	var (
		out   output
		stack []openEnt
		ents  []wireEntity
	)
	toggle := func(typ string, offset int) {
		for k := len(stack) - 1; k >= 0; k-- {
			if stack[k].typ == typ {
				o := stack[k]
				stack = append(stack[:k], stack[k+1:]...)
				if out.u16 > o.start {
					ents = append(ents, wireEntity{Type: typ, Offset: o.start, Length: out.u16 - o.start})
				}
				return
			}
		}
		stack = append(stack, openEnt{typ: typ, start: out.u16, offset: offset})
	}
	// literal reads code or pre content up to the closing marker, where
	// only '`' and '\' may be escaped.
	literal := func(i int, marker string) (int, bool) {
		for i < len(s) {
			if s[i] == '\\' && i+1 < len(s) {
				out.rune(rune(s[i+1]))
				i += 2
				continue
			}
			if strings.HasPrefix(s[i:], marker) {
				return i + len(marker), true
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			out.rune(r)
			i += size
		}
		return i, false
	}
	lineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		atLineStart := lineStart
		lineStart = c == '\n'
		switch {
		case c == '\\':
			if i+1 < len(s) && s[i+1] >= 1 && s[i+1] <= 126 {
				out.rune(rune(s[i+1]))
				i += 2
				continue
			}
			out.rune('\\')
			i++
		case strings.HasPrefix(s[i:], "```"):
			begin := i
			i += 3
			lang := ""
			if nl := strings.IndexByte(s[i:], '\n'); nl > 0 && !strings.ContainsAny(s[i:i+nl], " \t`\\") {
				lang = s[i : i+nl]
				i += nl + 1
			}
			start := out.u16
			var ok bool
			if i, ok = literal(i, "```"); !ok {
				return formatted{}, parseErr("Can't find end of Pre entity at byte offset %d", begin)
			}
			ents = append(ents, wireEntity{Type: "pre", Offset: start, Length: out.u16 - start, Language: lang})
		case c == '`':
			begin := i
			start := out.u16
			var ok bool
			if i, ok = literal(i+1, "`"); !ok {
				return formatted{}, parseErr("Can't find end of Code entity at byte offset %d", begin)
			}
			ents = append(ents, wireEntity{Type: "code", Offset: start, Length: out.u16 - start})
		case c == '*':
			toggle("bold", i)
			i++
		case strings.HasPrefix(s[i:], "__"):
			toggle("underline", i)
			i += 2
		case c == '_':
			toggle("italic", i)
			i++
		case c == '~':
			toggle("strikethrough", i)
			i++
		case strings.HasPrefix(s[i:], "||"):
			toggle("spoiler", i)
			i += 2
		case c == '[':
			stack = append(stack, openEnt{typ: "text_link", start: out.u16, offset: i})
			i++
		case c == ']' && len(stack) > 0 && stack[len(stack)-1].typ == "text_link":
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if i+1 >= len(s) || s[i+1] != '(' {
				// "[text]" without a URL is plain text in Telegram.
				i++
				continue
			}
			j := i + 2
			var url strings.Builder
			for j < len(s) && s[j] != ')' {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				url.WriteByte(s[j])
				j++
			}
			if j >= len(s) {
				return formatted{}, parseErr("Can't find end of a URL at byte offset %d", i+2)
			}
			if out.u16 > o.start {
				ents = append(ents, wireEntity{Type: "text_link", Offset: o.start, Length: out.u16 - o.start, URL: url.String()})
			}
			i = j + 1
		case c == '>' && atLineStart:
			// Block quotation marker; the quote itself is kept as plain text here.
			i++
		case strings.IndexByte("_*[]()~`>#+-=|{}.!", c) >= 0:
			return formatted{}, parseErr("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out.rune(r)
			i += size
		}
	}
	if len(stack) > 0 {
		o := stack[len(stack)-1]
		return formatted{}, parseErr("Can't find end of %s entity at byte offset %d", markdownV2Names[o.typ], o.offset)
	}
	return formatted{text: out.b.String(), entities: sortEntities(ents)}, nil
}

// parseMarkdown implements the legacy Markdown parse mode: no nesting,
// and an unclosed marker fails.
func parseMarkdown(s string) (formatted, error) {
	var (
		out  output
		ents []wireEntity
	)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && strings.IndexByte("_*`[", s[i+1]) >= 0:
			out.rune(rune(s[i+1]))
			i += 2
		case strings.HasPrefix(s[i:], "```"):
			end := strings.Index(s[i+3:], "```")
			if end < 0 {
				return formatted{}, parseErr("Can't find end of the entity starting at byte offset %d", i)
			}
			start := out.u16
			out.str(s[i+3 : i+3+end])
			ents = append(ents, wireEntity{Type: "pre", Offset: start, Length: out.u16 - start})
			i += end + 6
		case c == '*' || c == '_' || c == '`':
			end := strings.IndexByte(s[i+1:], c)
			if end < 0 {
				return formatted{}, parseErr("Can't find end of the entity starting at byte offset %d", i)
			}
			start := out.u16
			out.str(s[i+1 : i+1+end])
			typ := map[byte]string{'*': "bold", '_': "italic", '`': "code"}[c]
			if out.u16 > start {
				ents = append(ents, wireEntity{Type: typ, Offset: start, Length: out.u16 - start})
			}
			i += end + 2
		case c == '[':
			close := strings.Index(s[i:], "](")
			end := -1
			if close > 0 {
				end = strings.IndexByte(s[i+close:], ')')
			}
			if close < 0 || end < 0 {
				return formatted{}, parseErr("Can't find end of the entity starting at byte offset %d", i)
			}
			start := out.u16
			out.str(s[i+1 : i+close])
			url := s[i+close+2 : i+close+end]
			ents = append(ents, wireEntity{Type: "text_link", Offset: start, Length: out.u16 - start, URL: url})
			i += close + end + 1
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out.rune(r)
			i += size
		}
	}
	return formatted{text: out.b.String(), entities: sortEntities(ents)}, nil
}

// sortEntities orders entities by offset, outer before inner, as Telegram returns them.
func sortEntities(ents []wireEntity) []wireEntity {
	for i := 1; i < len(ents); i++ {
		for j := i; j > 0; j-- {
			a, b := ents[j-1], ents[j]
			if a.Offset < b.Offset || (a.Offset == b.Offset && a.Length >= b.Length) {
				break
			}
			ents[j-1], ents[j] = b, a
		}
	}
	return ents
}

// commandEntities marks a leading /command the way Telegram does for text a
// user types, which is what tgbotapi's Message.IsCommand looks at.
func commandEntities(text string) []wireEntity {
	if !strings.HasPrefix(text, "/") {
		return nil
	}
	end := strings.IndexFunc(text, unicode.IsSpace)
	if end < 0 {
		end = len(text)
	}
	if end < 2 {
		return nil
	}
	return []wireEntity{{Type: "bot_command", Offset: 0, Length: utf16Len(text[:end])}}
}
