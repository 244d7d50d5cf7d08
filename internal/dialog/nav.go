package dialog

import (
	"strconv"
	"time"

	"github.com/relais-sante/relais/internal/forms"
)

// Navigation is derived from the answers alone: the position after or before
// a step depends only on which steps are visible, so /retour, editing and a
// form version change need no separate history.

func topIndex(f *forms.Form, id string) int {
	for i, s := range f.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// codesOf returns the codes a condition sees for an answer.
func codesOf(v Value, ok bool) []string {
	switch {
	case !ok || v.Skipped:
		return nil
	case v.Codes != nil:
		return v.Codes
	case v.Code != "":
		return []string{v.Code}
	case v.Text != "":
		return []string{v.Text}
	}
	return nil
}

// visible evaluates s's condition on the answers of its item (for a step in
// a group) and of the form.
func visible(s *forms.Step, item, top Answers) bool {
	if s.When == nil {
		return true
	}
	v, ok := item[s.When.Step]
	if !ok {
		v, ok = top[s.When.Step]
	}
	return s.When.Holds(codesOf(v, ok))
}

func itemAt(ans Answers, group string, i int) Answers {
	items := ans[group].Items
	if i >= 0 && i < len(items) {
		return items[i]
	}
	return nil
}

func firstSub(g *forms.Step, item, top Answers) string {
	for _, s := range g.Steps {
		if visible(s, item, top) {
			return s.ID
		}
	}
	return ""
}

func lastSub(g *forms.Step, item, top Answers) string {
	for i := len(g.Steps) - 1; i >= 0; i-- {
		if visible(g.Steps[i], item, top) {
			return g.Steps[i].ID
		}
	}
	return ""
}

func subIndex(g *forms.Step, id string) int {
	for i, s := range g.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

func nextSub(g *forms.Step, after string, item, top Answers) string {
	for i := subIndex(g, after) + 1; i < len(g.Steps); i++ {
		if visible(g.Steps[i], item, top) {
			return g.Steps[i].ID
		}
	}
	return ""
}

func prevSub(g *forms.Step, before string, item, top Answers) string {
	for i := subIndex(g, before) - 1; i >= 0; i-- {
		if visible(g.Steps[i], item, top) {
			return g.Steps[i].ID
		}
	}
	return ""
}

// nextTop is the first visible position after top-level step i.
func nextTop(f *forms.Form, ans Answers, i int) Pos {
	for j := i + 1; j < len(f.Steps); j++ {
		s := f.Steps[j]
		if !visible(s, nil, ans) {
			continue
		}
		if s.Type == forms.TypeGroup {
			sub := firstSub(s, itemAt(ans, s.ID, 0), ans)
			if sub == "" {
				continue
			}
			return Pos{Step: s.ID, Sub: sub}
		}
		return Pos{Step: s.ID}
	}
	return Pos{}
}

// prevTop is the last visible position before top-level step i.
func prevTop(f *forms.Form, ans Answers, i int) (Pos, bool) {
	for j := i - 1; j >= 0; j-- {
		s := f.Steps[j]
		if !visible(s, nil, ans) {
			continue
		}
		if s.Type == forms.TypeGroup {
			v := ans[s.ID]
			n := len(v.Items)
			if v.Skipped || n == 0 {
				sub := firstSub(s, nil, ans)
				if sub == "" {
					continue
				}
				return Pos{Step: s.ID, Sub: sub}, true
			}
			if n < s.MaxItems {
				return Pos{Step: s.ID, Item: n - 1, More: true}, true
			}
			return Pos{Step: s.ID, Item: n - 1, Sub: lastSub(s, v.Items[n-1], ans)}, true
		}
		return Pos{Step: s.ID}, true
	}
	return Pos{}, false
}

func first(f *forms.Form, ans Answers) Pos { return nextTop(f, ans, -1) }

// next is the position after p.
func next(f *forms.Form, ans Answers, p Pos) Pos {
	if p.End() {
		return p
	}
	i := topIndex(f, p.Step)
	g := f.Steps[i]
	if g.Type != forms.TypeGroup {
		return nextTop(f, ans, i)
	}
	v := ans[g.ID]
	if v.Skipped {
		return nextTop(f, ans, i)
	}
	if p.More {
		if p.Item+1 < len(v.Items) {
			if sub := firstSub(g, v.Items[p.Item+1], ans); sub != "" {
				return Pos{Step: g.ID, Item: p.Item + 1, Sub: sub}
			}
		}
		return nextTop(f, ans, i)
	}
	if sub := nextSub(g, p.Sub, itemAt(ans, g.ID, p.Item), ans); sub != "" {
		return Pos{Step: g.ID, Item: p.Item, Sub: sub}
	}
	if p.Item+1 < g.MaxItems {
		return Pos{Step: g.ID, Item: p.Item, More: true}
	}
	return nextTop(f, ans, i)
}

// prev is the position before p; false at the first question.
func prev(f *forms.Form, ans Answers, p Pos) (Pos, bool) {
	if p.End() {
		return prevTop(f, ans, len(f.Steps))
	}
	i := topIndex(f, p.Step)
	g := f.Steps[i]
	if g.Type != forms.TypeGroup {
		return prevTop(f, ans, i)
	}
	item := itemAt(ans, g.ID, p.Item)
	if p.More {
		return Pos{Step: g.ID, Item: p.Item, Sub: lastSub(g, item, ans)}, true
	}
	if sub := prevSub(g, p.Sub, item, ans); sub != "" {
		return Pos{Step: g.ID, Item: p.Item, Sub: sub}, true
	}
	if p.Item > 0 {
		return Pos{Step: g.ID, Item: p.Item - 1, More: true}, true
	}
	return prevTop(f, ans, i)
}

func answered(f *forms.Form, ans Answers, p Pos) bool {
	s := f.Step(p.Step)
	if s == nil {
		return false
	}
	if s.Type != forms.TypeGroup {
		_, ok := ans[p.Step]
		return ok
	}
	v := ans[p.Step]
	if v.Skipped {
		return true
	}
	if p.More {
		n := len(v.Items)
		return p.Item < n-1 || (p.Item == n-1 && v.Closed)
	}
	_, ok := itemAt(ans, p.Step, p.Item)[p.Sub]
	return ok
}

// firstUnanswered walks the visible positions in order and returns the first
// one without an answer, or the end.
func firstUnanswered(f *forms.Form, ans Answers) Pos {
	p := first(f, ans)
	for n := 0; !p.End() && n < 10000; n++ {
		if !answered(f, ans, p) {
			return p
		}
		p = next(f, ans, p)
	}
	return Pos{}
}

// prune removes the answers of steps that are no longer visible (e.g. the
// rights type after the request kind changed to care).
func prune(f *forms.Form, ans Answers) {
	for _, s := range f.Steps {
		if !visible(s, nil, ans) {
			delete(ans, s.ID)
			continue
		}
		if s.Type != forms.TypeGroup {
			continue
		}
		for _, item := range ans[s.ID].Items {
			for _, sub := range s.Steps {
				if !visible(sub, item, ans) {
					delete(item, sub.ID)
				}
			}
		}
	}
}

// sanitize keeps the answers that still fit f (after a form change).
func sanitize(f *forms.Form, old Answers) Answers {
	ans := Answers{}
	for _, s := range f.Steps {
		v, ok := old[s.ID]
		if !ok {
			continue
		}
		if s.Type != forms.TypeGroup {
			if validValue(s, v) {
				ans[s.ID] = v.clone()
			}
			continue
		}
		if v.Skipped {
			if !s.Required {
				ans[s.ID] = Value{Skipped: true}
			}
			continue
		}
		g := Value{Closed: v.Closed}
		for _, it := range v.Items {
			kept := Answers{}
			for _, sub := range s.Steps {
				if sv, ok := it[sub.ID]; ok && validValue(sub, sv) {
					kept[sub.ID] = sv.clone()
				}
			}
			if len(kept) > 0 && len(g.Items) < s.MaxItems {
				g.Items = append(g.Items, kept)
			}
		}
		if len(g.Items) > 0 {
			ans[s.ID] = g
		}
	}
	prune(f, ans)
	return ans
}

// validValue tells whether v is still a possible answer of s.
func validValue(s *forms.Step, v Value) bool {
	if v.Skipped {
		return !s.Required
	}
	switch s.Type {
	case forms.TypeChoice, forms.TypeYesNo:
		_, ok := s.Choice(v.Code)
		return ok
	case forms.TypeMulti:
		for _, c := range v.Codes {
			if _, ok := s.Choice(c); !ok {
				return false
			}
		}
		return true
	case forms.TypeInteger:
		n, err := strconv.Atoi(v.Code)
		return err == nil && inRange(s, n)
	case forms.TypeDate:
		_, err := time.Parse(time.DateOnly, v.Code)
		return err == nil
	case forms.TypeText:
		return v.Text != "" && len([]rune(v.Text)) <= s.MaxLength
	case forms.TypeBeneficiary:
		return v.Code != ""
	case forms.TypeRecord:
		return v.Code == forms.OtherCode || (v.Code != "" && v.Text != "")
	}
	return false
}

func inRange(s *forms.Step, n int) bool {
	return (s.Min == nil || n >= *s.Min) && (s.Max == nil || n <= *s.Max)
}
