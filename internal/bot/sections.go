package bot

import (
	"context"
	"fmt"

	"github.com/relais-sante/relais/internal/chat"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/store"
)

// A figures result (/indicateurs, /meschiffres) is its key figures, with
// a button for each section: "<flow>s:<period>:<scope tag>:<section>", "is"
// for a coordinator's figures and "ms" for a mediator's own (each in the
// registry with the roles of its command). The dates are written out,
// so a press on another day gives the same period, and every press checks
// the territory again.
const sectionsSuffix = "s"

// maxCaption is Telegram's limit for a photo's caption, in UTF-16 units.
const maxCaption = 1024

// sectionButtons are the section buttons of a result, three a row, but
// the one shown (current, "" under the key figures).
func sectionButtons(flow, pcode, tag string, current indicators.Section) [][]chat.Button {
	var rows [][]chat.Button
	n := 0
	for _, s := range indicators.AllSections {
		if s == current {
			continue
		}
		btn := button(s.Button(), flow+sectionsSuffix+":"+pcode+":"+tag+":"+string(s))
		if n%3 == 0 {
			rows = append(rows, keyRow(btn))
		} else {
			rows[len(rows)-1] = append(rows[len(rows)-1], btn)
		}
		n++
	}
	return rows
}

// computeFigures computes the report a figures flow shows, a mediator's
// own under their own heading; extra adds options (the key figures ask
// indicators.WithHistory for last year's beside them, a section reads none).
func (b *Bot) computeFigures(ctx context.Context, flow string, p indicators.Period, scope indicators.Scope, extra ...indicators.Option) (*indicators.Report, error) {
	opts := append([]indicators.Option{indicators.InZone(b.loc), indicators.AsOf(b.Now())}, extra...)
	if flow == flowOwn {
		opts = append(opts, indicators.ForTheMediator())
	}
	return indicators.Compute(ctx, b.store.Reports(), p, scope, opts...)
}

// pressSection sends one section of a result: one message, its chart as
// the photo when it has one and the text fits a caption, the other
// sections' buttons under it. The press is answered at once, before the
// figures are computed.
func (b *Bot) pressSection(flow string) handler {
	return func(ctx context.Context, u *store.User, ev event, fields []string) error {
		section, ok := indicators.ParseSection(fields[2])
		if !ok {
			b.answer(ctx, ev, msgStaleButton)
			b.refusePress(ctx, u, ev, flow+sectionsSuffix, "section")
			return nil
		}
		b.answer(ctx, ev, "")
		p, scope, ok, err := b.figuresTerritory(ctx, u, ev, flow, fields[0], fields[1])
		if err != nil || !ok {
			return err
		}
		r, err := b.computeFigures(ctx, flow, p, scope)
		if err != nil {
			return fmt.Errorf("compute indicators, section %s: %w", section, err)
		}
		text := r.SectionText(section)
		buttons := sectionButtons(flow, fields[0], fields[1], section)
		png, err := indicators.SectionChart(r, section)
		if err != nil {
			b.log.ErrorContext(ctx, "section chart", "section", string(section), "err", err) // the figures go without it
		}
		if png == nil || frtext.MessageLen(text) > maxCaption {
			b.send(ctx, ev.chatID, text, buttons)
			return nil
		}
		photo := chat.Message{ChatID: int64(ev.chatID), Text: text, Buttons: buttons,
			File: &chat.File{Name: string(section) + ".png", Data: png, Photo: true}}
		if _, err := b.out.Post(ctx, photo); err != nil {
			b.log.ErrorContext(ctx, "send section", "chat_id", ev.chatID, "err", err)
		}
		return nil
	}
}
