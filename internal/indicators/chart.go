package indicators

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"github.com/relais-sante/relais/internal/frtext"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var (
	rightsColor = color.RGBA{R: 0x1f, G: 0x6f, B: 0xb4, A: 0xff}
	careColor   = color.RGBA{R: 0xe0, G: 0x7a, B: 0x1f, A: 0xff}
)

// Chart draws the requests by type (rights in blue, care in orange) as a
// horizontal bar chart PNG, tall and with large type so it reads on a phone
// screen. Types without any request are left out.
func Chart(r *Report) ([]byte, error) {
	p, height, err := requestsPlot(r)
	if err != nil {
		return nil, err
	}
	return render(p, height)
}

// requestsPlot is Chart's drawing and its height in inches, apart from the
// PNG encoding so a test can read its words.
func requestsPlot(r *Report) (*plot.Plot, float64, error) {
	type bar struct {
		label  string
		n      int
		rights bool
	}
	var bars []bar
	for _, q := range []struct {
		req    Requests
		rights bool
	}{{r.Rights, true}, {r.Care, false}} {
		for _, t := range q.req.Types() {
			if t.Count > 0 {
				bars = append(bars, bar{t.Label, t.Count, q.rights}) // the button text: one label per code
			}
		}
	}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("Demandes par type – %s\n%s", frtext.Shorten(r.Label, 40), r.Period.Label())
	p.Title.TextStyle.Font.Size = vg.Points(16)
	p.X.Label.Text = "Nombre de demandes"
	p.X.Label.TextStyle.Font.Size = vg.Points(13)
	p.X.Tick.Label.Font.Size = vg.Points(12)
	p.Y.Tick.Label.Font.Size = vg.Points(13)
	p.X.Min = 0

	if len(bars) == 0 {
		p.Title.Text += "\n(aucune demande)"
		p.NominalY("")
		p.X.Max = 1
		return p, 5, nil
	}

	// NominalY puts the first name at the bottom: reverse so the first
	// rights type is at the top. One empty row on top holds the legend, so
	// it never covers a bar.
	n := len(bars)
	rights, care := make(plotter.Values, n+1), make(plotter.Values, n+1)
	names := make([]string, n+1)
	labels := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	maxN := 0
	for i, b := range bars {
		j := n - 1 - i
		names[j] = b.label
		if b.rights {
			rights[j] = float64(b.n)
		} else {
			care[j] = float64(b.n)
		}
		labels.XYs[j] = plotter.XY{X: float64(b.n), Y: float64(j)}
		labels.Labels[j] = frtext.Number(b.n)
		maxN = max(maxN, b.n)
	}
	width := vg.Points(22)
	for _, s := range []struct {
		vals  plotter.Values
		color color.Color
		name  string
	}{{rights, rightsColor, "Accès aux droits"}, {care, careColor, "Accès aux soins"}} {
		bc, err := plotter.NewBarChart(s.vals, width)
		if err != nil {
			return nil, 0, fmt.Errorf("chart: %w", err)
		}
		bc.Horizontal = true
		bc.Color = s.color
		bc.LineStyle.Width = 0
		p.Add(bc)
		p.Legend.Add(s.name, bc)
	}
	if err := addBarLabels(p, labels, 12); err != nil {
		return nil, 0, err
	}
	p.X.Max = float64(maxN) * 1.18
	p.X.Tick.Marker = CountTicks{}
	p.NominalY(names...)
	p.Legend.Top = true
	p.Legend.Left = false
	p.Legend.XOffs = -vg.Points(12)
	p.Legend.TextStyle.Font.Size = vg.Points(13)
	return p, max(3, 1.6+0.45*float64(n+1)), nil
}

// CountTicks marks whole numbers only, written the French way (1 250):
// counts have no decimals. The chat's charts and the annual document's use it.
type CountTicks struct{}

// Ticks implements plot.Ticker: at most about six ticks, a step of 1, 2 or
// 5 times a power of ten.
func (CountTicks) Ticks(min, max float64) []plot.Tick {
	step := 1.0
	for i := 0; (max-min)/step > 6; i++ {
		step = []float64{2, 5, 10}[i%3] * math.Pow(10, float64(i/3))
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: frtext.Number(int(v))})
	}
	return ticks
}

func render(p *plot.Plot, heightInches float64) ([]byte, error) {
	wt, err := p.WriterTo(7*vg.Inch, vg.Length(heightInches)*vg.Inch, "png")
	if err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("chart: %w", err)
	}
	return buf.Bytes(), nil
}

// RankChart draws a ranking (themes, obstacles, publics…) as horizontal
// bars with their share, for the annual report's documents. Only codes
// with a count are drawn, at most limit of them.
func RankChart(title string, ranks []Rank, limit int) ([]byte, error) {
	p, height, err := rankPlot(title, ranks, limit)
	if err != nil {
		return nil, err
	}
	return render(p, height)
}

// rankPlot is RankChart's drawing and its height in inches.
func rankPlot(title string, ranks []Rank, limit int) (*plot.Plot, float64, error) {
	if len(ranks) > limit {
		ranks = ranks[:limit]
	}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = vg.Points(15)
	p.X.Label.Text = "%"
	p.X.Tick.Label.Font.Size = vg.Points(11)
	p.Y.Tick.Label.Font.Size = vg.Points(11)
	p.X.Min = 0
	n := len(ranks)
	if n == 0 {
		p.Title.Text += "\n(aucune donnée)"
		p.NominalY("")
		p.X.Max = 1
		return p, 2.5, nil
	}
	vals := make(plotter.Values, n)
	names := make([]string, n)
	labels := plotter.XYLabels{XYs: make(plotter.XYs, n), Labels: make([]string, n)}
	maxPct := 1
	for i, r := range ranks {
		j := n - 1 - i // the first at the top
		vals[j] = float64(r.Pct)
		names[j] = frtext.Shorten(r.Label, 42)
		labels.XYs[j] = plotter.XY{X: float64(r.Pct), Y: float64(j)}
		labels.Labels[j] = fmt.Sprintf("%d %%", r.Pct)
		maxPct = max(maxPct, r.Pct)
	}
	bc, err := plotter.NewBarChart(vals, vg.Points(16))
	if err != nil {
		return nil, 0, fmt.Errorf("chart: %w", err)
	}
	bc.Horizontal = true
	bc.Color = rightsColor
	bc.LineStyle.Width = 0
	p.Add(bc)
	if err := addBarLabels(p, labels, 11); err != nil {
		return nil, 0, err
	}
	p.X.Max = float64(maxPct) * 1.2
	p.X.Tick.Marker = CountTicks{}
	p.NominalY(names...)
	return p, max(2.5, 1.2+0.32*float64(n)), nil
}

// addBarLabels writes each bar's figure just right of its end.
func addBarLabels(p *plot.Plot, labels plotter.XYLabels, size float64) error {
	lbl, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	for i := range lbl.TextStyle {
		lbl.TextStyle[i].Font.Size = vg.Points(size)
		lbl.TextStyle[i].YAlign = draw.YCenter
	}
	lbl.Offset = vg.Point{X: vg.Points(4)}
	p.Add(lbl)
	return nil
}
