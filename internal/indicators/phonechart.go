package indicators

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/frtext"
)

// The chat's charts are drawn for a phone, apart from the annual report's
// print charts (Chart, RankChart): a 4:3 picture, which Telegram shows the
// full width of the screen, with type large for that width. Sizes are in
// pixels of the PNG.
const (
	phoneWidthPx  = 1280
	phoneHeightPx = 960
	phoneDPI      = 96
	phoneTitlePx  = 40 // the title
	phoneLabelPx  = 32 // category names and figures: at least 24 px
	phoneMaxBars  = 11 // the longest catalogue list (care types, obstacles)
)

// The chat charts' colours: rights in blue, care in orange.
var (
	phoneRightsColor = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb4, A: 0xff}
	phoneCareColor   = color.RGBA{R: 0xe0, G: 0x7a, B: 0x1f, A: 0xff}
)

// px is a length of n pixels of the phone chart.
func px(n float64) vg.Length { return vg.Length(n) * vg.Inch / phoneDPI }

// phoneFont sets a text's type to the chat's sans-serif (not the plotting
// library's default serif) at size pixels, keeping its alignment.
func phoneFont(s *text.Style, size float64) {
	s.Font.Typeface, s.Font.Variant, s.Font.Size = "Liberation", "Sans", px(size)
}

// phoneBar is one bar: a category, its count and, when it is a care
// request beside rights ones, the care colour.
type phoneBar struct {
	label string
	n     int
	care  bool
}

// SectionChart draws a section's chart for the chat, a 1280×960 PNG: the
// requests by type for Droits and Soins, the obstacles for Freins. It
// returns nil (and no error) for a section without a chart or without
// data: a chart is never sent empty.
func SectionChart(r *Report, s Section) ([]byte, error) {
	var bars []phoneBar
	var total int
	var title string
	switch s {
	case SectionRights, SectionCare:
		q := r.Rights
		if s == SectionCare {
			q = r.Care
		}
		for _, t := range q.Types() {
			bars = append(bars, phoneBar{label: t.Label, n: t.Count})
		}
		total, title = q.Total, "Demandes d'accès aux droits, par type"
		if s == SectionCare {
			title = "Demandes d'accès aux soins, par type"
		}
	case SectionObstacles:
		if r.Total == nil {
			return nil, nil
		}
		for code, n := range r.Total.Obstacles {
			label := code
			for _, c := range codes.Obstacles {
				if c.Code == code {
					label = c.Label
				}
			}
			bars = append(bars, phoneBar{label: label, n: n})
			total += n
		}
		title = "Freins, part des mentions"
	default:
		return nil, nil
	}
	return drawPhoneBars(r, title, bars, total)
}

// RequestsPhoneChart draws all the requests of a report by type for the
// chat (the Monday summary), a 1280×960 PNG: rights in blue, care in
// orange, the largest first. nil (and no error) without any request.
func RequestsPhoneChart(r *Report) ([]byte, error) {
	return drawPhoneBars(r, "Demandes par type, en bleu les droits, en orange les soins", requestBars(r), r.Rights.Total+r.Care.Total)
}

// requestBars are the bars of RequestsPhoneChart: every type of both
// kinds, each kind's "Autre" named with its kind.
func requestBars(r *Report) []phoneBar {
	var bars []phoneBar
	for _, q := range []Requests{r.Rights, r.Care} {
		for _, t := range q.Types() {
			label := t.Label
			if t.Code == "autre" { // one "Autre" in each kind
				label = map[string]string{"droits": "Autre (droits)", "soins": "Autre (soins)"}[q.kind]
			}
			bars = append(bars, phoneBar{label: label, n: t.Count, care: q.kind == "soins"})
		}
	}
	return bars
}

// drawPhoneBars keeps the bars with a count, the largest first (at most
// phoneMaxBars, the title says so), and draws them under the title, the
// territory and the period.
func drawPhoneBars(r *Report, title string, bars []phoneBar, total int) ([]byte, error) {
	bars = slices.DeleteFunc(bars, func(b phoneBar) bool { return b.n <= 0 })
	if len(bars) == 0 || total == 0 {
		return nil, nil
	}
	slices.SortStableFunc(bars, func(a, b phoneBar) int {
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.label, b.label))
	})
	who := r.Label
	if r.Own {
		who = "vos chiffres"
	}
	title = fmt.Sprintf("%s\n%s – %s", title, frtext.Shorten(who, 40), r.Period.Label())
	if len(bars) > phoneMaxBars {
		bars = bars[:phoneMaxBars]
		title += fmt.Sprintf(" (les %d plus fréquents)", phoneMaxBars)
	}
	p, err := phonePlot(title, bars, total)
	if err != nil {
		return nil, err
	}
	return renderPhone(p)
}

// phonePlot draws horizontal bars, the largest at the top, each with its
// count and share at its end; no axis, the figures are on the bars.
func phonePlot(title string, bars []phoneBar, total int) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	phoneFont(&p.Title.TextStyle, phoneTitlePx)
	p.Title.Padding = px(24)
	phoneFont(&p.Y.Tick.Label, phoneLabelPx)
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0
	p.Y.Padding = px(8)
	p.HideX()
	n := len(bars)
	vals, care := make(plotter.Values, n), make(plotter.Values, n)
	names := make([]string, n)
	labels := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	maxN := 0
	for i, b := range bars {
		j := n - 1 - i // NominalY puts the first name at the bottom
		if b.care {
			care[j] = float64(b.n)
		} else {
			vals[j] = float64(b.n)
		}
		names[j] = b.label
		labels.XYs[j] = plotter.XY{X: float64(b.n), Y: float64(j)}
		labels.Labels[j] = countPct(b.n, total)
		maxN = max(maxN, b.n)
	}
	// The bars share the height left under the title, 60 % of each row.
	rows := px(phoneHeightPx - 200)
	for _, series := range []struct {
		vals  plotter.Values
		color color.Color
	}{{vals, phoneRightsColor}, {care, phoneCareColor}} {
		bc, err := plotter.NewBarChart(series.vals, min(px(56), rows/vg.Length(n)*0.6))
		if err != nil {
			return nil, fmt.Errorf("phone chart: %w", err)
		}
		bc.Horizontal = true
		bc.Color = series.color
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	lbl, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("phone chart: %w", err)
	}
	for i := range lbl.TextStyle {
		phoneFont(&lbl.TextStyle[i], phoneLabelPx)
		lbl.TextStyle[i].XAlign, lbl.TextStyle[i].YAlign = draw.XLeft, draw.YCenter
	}
	lbl.Offset = vg.Point{X: px(10)}
	p.Add(lbl)
	// Room right of the longest bar for its figure, "1 761 (53 %)".
	p.X.Min, p.X.Max = 0, float64(maxN)*1.6
	p.NominalY(names...)
	return p, nil
}

func renderPhone(p *plot.Plot) ([]byte, error) {
	c := vgimg.NewWith(vgimg.UseWH(px(phoneWidthPx), px(phoneHeightPx)), vgimg.UseDPI(phoneDPI))
	drawPhone(p, c)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("phone chart: %w", err)
	}
	return buf.Bytes(), nil
}

// drawPhone draws a phone plot on c with a margin all round, so no word
// touches the picture's edge.
func drawPhone(p *plot.Plot, c vg.CanvasSizer) {
	p.Draw(draw.Crop(draw.New(c), px(24), -px(24), px(16), -px(8)))
}
