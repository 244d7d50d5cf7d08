package annual

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/indicators"
)

// The document's charts are drawn here, apart from the chat's
// (indicators.Chart, sized for a phone): drawn at the width they are
// printed, in the sans-serif family of the text (Liberation Sans has the
// metrics of Helvetica and Arial), every label at least minPoints.
const (
	chartWidthMM = 160.0
	chartDPI     = 200
	minPoints    = 8.5
)

var (
	rightsColor = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb4, A: 0xff}
	careColor   = color.RGBA{R: 0xe0, G: 0x7a, B: 0x1f, A: 0xff}
)

// sans is the charts' font at size points.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// bar is one bar of a chart: its label, length, the figure written at its
// end and its series (0 or 1).
type bar struct {
	label  string
	value  float64
	text   string
	series int
}

// series names the bars' colours in a legend (none with one series).
type series struct {
	name  string
	color color.Color
}

// barChart draws horizontal bars, the first at the top, as a PNG printed
// chartWidthMM wide. It returns nil when there is no bar: a chart without
// data is not printed.
func barChart(bars []bar, legend []series, xLabel string) ([]byte, error) {
	if len(bars) == 0 {
		return nil, nil
	}
	p := plot.New()
	p.Title.Text = ""
	p.X.Label.Text = xLabel
	p.X.Label.TextStyle.Font = sans(9)
	p.X.Tick.Label.Font = sans(minPoints)
	p.Y.Tick.Label.Font = sans(9)
	p.Legend.TextStyle.Font = sans(9)
	p.X.Min = 0

	// One extra row on top holds the legend, so it never covers a bar.
	rows := len(bars)
	if len(legend) > 1 {
		rows++
	}
	vals := make([]plotter.Values, max(1, len(legend)))
	for i := range vals {
		vals[i] = make(plotter.Values, rows)
	}
	names := make([]string, rows)
	labels := plotter.XYLabels{XYs: make(plotter.XYs, len(bars)), Labels: make([]string, len(bars))}
	top := 0.0
	for i, b := range bars {
		j := len(bars) - 1 - i
		names[j] = frtext.Shorten(b.label, 48)
		vals[b.series][j] = b.value
		labels.XYs[j] = plotter.XY{X: b.value, Y: float64(j)}
		labels.Labels[j] = b.text
		top = math.Max(top, b.value)
	}
	for i, v := range vals {
		bc, err := plotter.NewBarChart(v, vg.Points(11))
		if err != nil {
			return nil, fmt.Errorf("chart: %w", err)
		}
		bc.Horizontal = true
		bc.Color = rightsColor
		if i < len(legend) {
			bc.Color = legend[i].color
			if len(legend) > 1 {
				p.Legend.Add(legend[i].name, bc)
			}
		}
		bc.LineStyle.Width = 0
		p.Add(bc)
	}
	lbl, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	for i := range lbl.TextStyle {
		lbl.TextStyle[i].Font = sans(minPoints)
		lbl.TextStyle[i].YAlign = draw.YCenter
	}
	lbl.Offset = vg.Point{X: vg.Points(3)}
	p.Add(lbl)
	p.X.Max = math.Max(1, top*1.15)
	p.X.Tick.Marker = indicators.CountTicks{}
	p.NominalY(names...)
	p.Legend.Top = true
	p.Legend.Left = false

	w := vg.Length(chartWidthMM / 25.4 * vg.Inch.Points())
	h := vg.Length((0.75 + 0.24*float64(rows)) * vg.Inch.Points())
	c := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI))
	p.Draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// rankImage is a ranking (themes, needs, obstacles, publics) as a chart of
// shares, at most limit bars; nil without any.
func rankImage(ranks []indicators.Rank, limit int, caption string) ([]Block, error) {
	var bars []bar
	for i, r := range ranks {
		if i == limit {
			break
		}
		bars = append(bars, bar{label: r.Label, value: float64(r.Pct), text: fmt.Sprintf("%d %%", r.Pct)})
	}
	png, err := barChart(bars, nil, "%")
	if err != nil || png == nil {
		return nil, err
	}
	return []Block{Image{PNG: png, Caption: caption, WidthMM: chartWidthMM}}, nil
}

// charts are the sections' charts, each nil when it has nothing to draw.
type charts struct {
	themes, publics, needs, obstacles, requests []Block
}

func sectionCharts(r *indicators.Report) (charts, error) {
	var c charts
	var err error
	if c.themes, err = rankImage(r.Actions.Themes, 12, "Thèmes des actions collectives (% des actions)"); err != nil {
		return c, err
	}
	if c.publics, err = rankImage(r.Review.Publics, 27, "Types de partenaires et publics cités dans les bilans (% des bilans)"); err != nil {
		return c, err
	}
	if c.needs, err = rankImage(r.Review.HealthNeeds, 12, "Besoins de santé constatés dans les bilans (% des bilans)"); err != nil {
		return c, err
	}
	if c.needs == nil {
		c.needs = []Block{Paragraph{Text: "Aucun bilan de la période ne cite de besoin de santé."}}
	}
	if c.obstacles, err = rankImage(r.Review.Obstacles, 12, "Freins à l'accès à la santé cités dans les bilans (% des bilans)"); err != nil {
		return c, err
	}
	if c.obstacles == nil {
		c.obstacles = []Block{Paragraph{Text: "Aucun bilan de la période ne cite de frein à l'accès à la santé."}}
	}
	var bars []bar
	for i, q := range []indicators.Requests{r.Rights, r.Care} {
		for _, t := range q.Types() {
			if t.Count > 0 {
				bars = append(bars, bar{label: t.Label, value: float64(t.Count), text: frtext.Number(t.Count), series: i})
			}
		}
	}
	png, err := barChart(bars, []series{{"Accès aux droits", rightsColor}, {"Accès aux soins", careColor}}, "Nombre de demandes")
	if err != nil {
		return c, err
	}
	if png != nil {
		c.requests = []Block{Image{PNG: png, Caption: "Demandes d'accès aux droits et aux soins par type", WidthMM: chartWidthMM}}
	}
	return c, nil
}
