package demo_test

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cssRules reads a plain stylesheet into selector → declarations (the
// demo's CSS has no @media blocks or nested rules).
func cssRules(t *testing.T, path string) map[string]map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	css := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(b), "")
	rules := map[string]map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)([^{}]+)\{([^{}]*)\}`).FindAllStringSubmatch(css, -1) {
		decls := map[string]string{}
		for _, d := range strings.Split(m[2], ";") {
			k, v, ok := strings.Cut(d, ":")
			if ok {
				decls[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
		rules[strings.Join(strings.Fields(m[1]), " ")] = decls
	}
	return rules
}

// hexColour parses #rgb or #rrggbb; anything else (rgba, gradients, names
// other than black and white) is refused: a label's contrast must not
// depend on what shows through.
func hexColour(s string) ([3]float64, error) {
	switch s {
	case "#fff", "white":
		s = "#ffffff"
	case "#000", "black":
		s = "#000000"
	}
	if len(s) == 4 && s[0] == '#' {
		s = "#" + strings.Repeat(s[1:2], 2) + strings.Repeat(s[2:3], 2) + strings.Repeat(s[3:4], 2)
	}
	if len(s) != 7 || s[0] != '#' {
		return [3]float64{}, fmt.Errorf("%q is not an opaque #rrggbb colour", s)
	}
	var c [3]float64
	for i := range 3 {
		v, err := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
		if err != nil {
			return c, fmt.Errorf("%q: %v", s, err)
		}
		c[i] = float64(v) / 255
	}
	return c, nil
}

// contrast is the WCAG 2 contrast ratio of two sRGB colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	la, lb := lum(a), lum(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func TestContrastFormula(t *testing.T) {
	t.Parallel()
	black, err := hexColour("#000")
	if err != nil {
		t.Fatal(err)
	}
	white, err := hexColour("#fff")
	if err != nil {
		t.Fatal(err)
	}
	grey, err := hexColour("#777777")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		a, b [3]float64
		want float64
	}{{black, white, 21}, {white, white, 1}, {grey, white, 4.48}} {
		if got := contrast(c.a, c.b); math.Abs(got-c.want) > 0.01 {
			t.Errorf("contrast = %.2f, want %.2f", got, c.want)
		}
	}
}

// TestButtonLabelsContrast: every button label of the web chat reads at
// 4.5:1 at least against its background (WCAG AA), in every state drawn
// with a colour of its own.
func TestButtonLabelsContrast(t *testing.T) {
	t.Parallel()
	rules := cssRules(t, "static/chat.css")
	get := func(selector, prop string) [3]float64 {
		t.Helper()
		r, ok := rules[selector]
		if !ok {
			t.Fatalf("chat.css has no rule %q", selector)
		}
		v := r[prop]
		if v == "" && prop == "background" {
			v = r["background-color"]
		}
		// "background: #4a6b45 url(...)": the colour is the first word.
		c, err := hexColour(strings.Fields(v + " ?")[0])
		if err != nil {
			t.Fatalf("%s { %s }: %v", selector, prop, err)
		}
		return c
	}
	for _, c := range []struct {
		name               string
		text, textProp, bg string
	}{
		{"inline button", ".kb button, .kb a", "color", ".kb button, .kb a"},
		{"inline button, hovered", ".kb button, .kb a", "color", ".kb button:hover, .kb a:hover"},
		{"inline button, pressed", ".kb button, .kb a", "color", ".kb button:active"},
		{"inline button, waiting for the bot", ".kb button, .kb a", "color", ".kb button.pending"},
		{"persona tab", ".persona", "color", ".personas"},
		{"persona tab, selected", `.persona[aria-selected="true"]`, "color", ".personas"},
		{"reply keyboard button", "body", "color", ".replykb button"},
		{"command in the menu", ".menu .cmd", "color", ".menu"},
		{"command description in the menu", ".menu .desc", "color", ".menu"},
		{"menu button", ".menubtn", "color", ".menubtn"},
	} {
		ratio := contrast(get(c.text, c.textProp), get(c.bg, "background"))
		if ratio < 4.5 {
			t.Errorf("%s: contrast %.2f:1, want at least 4.5:1", c.name, ratio)
		}
	}
}
