package annual

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/relais-sante/relais/internal/frtext"

	"codeberg.org/go-pdf/fpdf"

	"github.com/relais-sante/relais/internal/indicators"
)

// A4 portrait, millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	bodyW        = pageW - 2*margin
	bottom       = pageH - margin - 8 // above the footer
)

// PDF writes the document as PDF: a title page, the table of contents,
// the key figures, then each section on a new page, tables repeating their
// header across pages, charts as images, footnotes under each section.
// It is drawn twice: the first time finds the page of each section for
// the table of contents. The core fonts read Windows-1252, which holds
// every French letter; the translator maps the UTF-8 text to it.
func (d *Document) PDF(w io.Writer) error {
	if err := d.writePDF(io.Discard, nil); err != nil {
		return err
	}
	return d.writePDF(w, slices.Clone(d.SectionPages))
}

// tocTitle heads the table of contents; keyTitle the key figures' page.
const (
	tocTitle = "Sommaire"
	keyTitle = "Chiffres clés"
)

func (d *Document) writePDF(w io.Writer, pages []int) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetTitle(d.Title, true)
	pdf.SetCreator("Relais", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	footer := d.Running
	if d.Provisional != "" {
		footer += " – " + d.Provisional
	}
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 5, tr(footer+" – page ")+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})

	pdf.AddPage()
	pdf.SetY(90)
	pdf.SetFont("Helvetica", "B", 22)
	pdf.MultiCell(bodyW, 10, tr(d.Title), "", "C", false)
	pdf.Ln(8)
	if d.Provisional != "" {
		pdf.SetFont("Helvetica", "B", 14)
		pdf.SetTextColor(0xb0, 0x3a, 0x2e)
		pdf.MultiCell(bodyW, 8, tr("Rapport "+d.Provisional), "", "C", false)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(4)
	}
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(bodyW, 6, tr(d.Subtitle), "", "C", false)

	// The table of contents: the key figures, then every section.
	pdf.AddPage()
	sectionTitle(pdf, tr, tocTitle)
	pdf.SetFont("Helvetica", "", 11)
	entry := func(title string, page int) {
		number := ""
		if page > 0 {
			number = strconv.Itoa(page)
		}
		pdf.CellFormat(bodyW-15, 8, tr(title), "B", 0, "L", false, 0, "")
		pdf.CellFormat(15, 8, number, "B", 1, "R", false, 0, "")
	}
	entry(keyTitle, 3)
	for i, s := range d.Sections {
		page := 0
		if i < len(pages) {
			page = pages[i]
		}
		entry(s.Title, page)
	}

	pdf.AddPage()
	sectionTitle(pdf, tr, keyTitle)
	keyFiguresPDF(pdf, tr, d.KeyFigures)

	images := 0
	d.SectionPages = d.SectionPages[:0]
	for _, s := range d.Sections {
		pdf.AddPage()
		d.SectionPages = append(d.SectionPages, pdf.PageNo())
		sectionTitle(pdf, tr, s.Title)
		for i, b := range s.Blocks {
			switch b := b.(type) {
			case Paragraph:
				if b.Edit { // the coordinator's place: the DOCX only
					continue
				}
				pdf.SetFont("Helvetica", "", 10)
				pdf.MultiCell(bodyW, 5, tr(b.Text), "", "L", false)
				pdf.Ln(2)
			case Heading:
				// A heading stays with the start of what follows it.
				need := 14.0
				if i+1 < len(s.Blocks) {
					need += blockNeed(pdf, s.Blocks[i+1], i+1 == len(s.Blocks)-1)
				}
				if pdf.GetY()+need > bottom && need < bottom-margin-20 {
					pdf.AddPage()
				}
				pdf.Ln(2)
				pdf.SetFont("Helvetica", "B", 12)
				pdf.MultiCell(bodyW, 6, tr(b.Text), "", "L", false)
				pdf.Ln(1)
			case Table:
				pdfTable(pdf, tr, b.Table, i == len(s.Blocks)-1)
			case Image:
				images++
				name := "chart" + strconv.Itoa(images)
				info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}, bytes.NewReader(b.PNG))
				if info == nil {
					return fmt.Errorf("write PDF: image %s: %w", name, pdf.Error())
				}
				w := min(bodyW, b.WidthMM)
				if w == 0 {
					w = bodyW * 0.85
				}
				h := w * info.Height() / info.Width()
				if pdf.GetY()+h+8 > bottom {
					pdf.AddPage()
				}
				pdf.SetFont("Helvetica", "B", 10)
				pdf.MultiCell(bodyW, 5, tr(b.Caption), "", "L", false)
				pdf.ImageOptions(name, margin+(bodyW-w)/2, pdf.GetY(), w, h, true, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
				pdf.Ln(4)
			}
		}
		if len(s.Notes) > 0 {
			pdf.Ln(3)
			pdf.SetFont("Helvetica", "I", 8)
			for _, n := range s.Notes {
				pdf.MultiCell(bodyW, 4, tr("* "+n), "", "L", false)
			}
		}
	}
	if err := pdf.Output(w); err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	return nil
}

func sectionTitle(pdf *fpdf.Fpdf, tr func(string) string, title string) {
	pdf.SetFont("Helvetica", "B", 16)
	pdf.SetTextColor(0x1f, 0x4e, 0x79)
	pdf.MultiCell(bodyW, 8, tr(title), "", "L", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.Ln(3)
}

// keyFiguresPDF draws the key figures two by two, each a large number
// over its label and detail.
func keyFiguresPDF(pdf *fpdf.Fpdf, tr func(string) string, figures []KeyFigure) {
	const gap, boxH = 6.0, 38.0
	boxW := (bodyW - gap) / 2
	y := pdf.GetY() + 4
	for i, f := range figures {
		x := margin + float64(i%2)*(boxW+gap)
		if i%2 == 0 && i > 0 {
			y += boxH + gap
		}
		pdf.SetFillColor(0xee, 0xf3, 0xf8)
		pdf.Rect(x, y, boxW, boxH, "F")
		pdf.SetXY(x, y+4)
		pdf.SetFont("Helvetica", "B", 26)
		pdf.SetTextColor(0x1f, 0x4e, 0x79)
		pdf.CellFormat(boxW, 12, tr(f.Value), "", 2, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.CellFormat(boxW, 7, tr(f.Label), "", 2, "C", false, 0, "")
		if f.Detail != "" {
			pdf.SetFont("Helvetica", "", 9.5)
			pdf.CellFormat(boxW, 6, tr(f.Detail), "", 2, "C", false, 0, "")
		}
	}
	pdf.SetXY(margin, y+boxH+gap)
}

// pdfTable draws a table whose columns are wide enough for every word of
// the header (no word is ever cut), on a smaller type when needed; the
// header repeats on a new page. A table of a dozen rows or fewer stays on
// one page; the last table of a section, when it has to move, takes the
// section's notes with it rather than leave them alone.
func pdfTable(pdf *fpdf.Fpdf, tr func(string) string, t indicators.Table, last bool) {
	parts := pageTables(pdf, t, bodyW)
	for i, part := range parts {
		pdfTablePart(pdf, tr, part, last && i == len(parts)-1)
	}
}

func pdfTablePart(pdf *fpdf.Fpdf, tr func(string) string, t indicators.Table, last bool) {
	if len(t.Header) == 0 {
		return
	}
	cells := tableCells(t)
	size, widths, _ := fitColumns(pdf, t.Header, cells, bodyW)
	lineH := size * 0.45
	if need := tableNeed(pdf, t.Header, cells, last); pdf.GetY()+need > bottom && need < bottom-margin-20 {
		pdf.AddPage()
	}
	pdf.Ln(1)
	pdf.SetFont("Helvetica", "B", 10)
	pdf.MultiCell(bodyW, 5, tr(t.Title), "", "L", false)
	header := func() {
		pdf.SetFont("Helvetica", "B", size)
		pdf.SetFillColor(0xdd, 0xe6, 0xf0)
		row(pdf, tr, t.Header, widths, lineH, true)
		pdf.SetFont("Helvetica", "", size)
	}
	header()
	for _, c := range cells {
		if pdf.GetY()+rowHeight(pdf, c, widths, lineH) > bottom {
			pdf.AddPage()
			header()
		}
		row(pdf, tr, c, widths, lineH, false)
	}
	pdf.Ln(4)
}

// tableNeed is the height a table keeps together: its title, header and
// all its rows up to a dozen (else the first three), and room for the
// section's notes after the last table.
func tableNeed(pdf *fpdf.Fpdf, header []string, cells [][]string, last bool) float64 {
	size, widths, _ := fitColumns(pdf, header, cells, bodyW)
	lineH := size * 0.45
	pdf.SetFont("Helvetica", "B", size)
	need := 7 + rowHeight(pdf, header, widths, lineH)
	pdf.SetFont("Helvetica", "", size)
	keep := min(len(cells), 3)
	if len(cells) <= 12 {
		keep = len(cells)
	}
	for _, c := range cells[:keep] {
		need += rowHeight(pdf, c, widths, lineH)
	}
	if last {
		need += 12
	}
	return need
}

// blockNeed is the height of the start of block b that must stay with the
// heading before it.
func blockNeed(pdf *fpdf.Fpdf, b Block, last bool) float64 {
	switch b := b.(type) {
	case Table:
		first := pageTables(pdf, b.Table, bodyW)[0]
		return tableNeed(pdf, first.Header, tableCells(first), last)
	case Image:
		cfg, err := png.DecodeConfig(bytes.NewReader(b.PNG))
		if err != nil || cfg.Width == 0 {
			return 40
		}
		return 8 + min(bodyW, b.WidthMM)*float64(cfg.Height)/float64(cfg.Width)
	}
	return 12
}

// tableCells is the table's cells as printed.
func tableCells(t indicators.Table) [][]string {
	cells := make([][]string, len(t.Rows))
	for k, r := range t.Rows {
		cells[k] = make([]string, len(t.Header))
		for i := range t.Header {
			if i < len(r) {
				cells[k][i] = FrenchCell(r[i])
			}
		}
	}
	return cells
}

// cellPad is a cell's room beside its text (1 mm each side, and a little
// more so the measure never rounds a word onto two lines).
const cellPad = 2.6

// fitColumns chooses the type size and the columns' widths (total width)
// so that no word of the header and no figure is ever cut: each column at
// least as wide as its longest header word and its widest figure, the
// first column (labels) wrapping between words.
// It starts at 9 pt and goes down to 6.5 pt for the widest tables; ok is
// false when even 6.5 pt would cut a word (pageTables splits such a table).
func fitColumns(pdf *fpdf.Fpdf, header []string, cells [][]string, total float64) (size float64, widths []float64, ok bool) {
	n := len(header)
	widths = make([]float64, n)
	if n == 1 {
		widths[0] = total
		return 9, widths, true
	}
	for size = 9; size >= 6.5; size -= 0.5 {
		minW := make([]float64, n)
		natural := 0.0 // the first column on one line
		for i, h := range header {
			pdf.SetFont("Helvetica", "B", size)
			for _, word := range strings.Fields(h) {
				minW[i] = max(minW[i], pdf.GetStringWidth(word)+cellPad)
			}
			if i == 0 {
				natural = pdf.GetStringWidth(h) + cellPad
			}
			pdf.SetFont("Helvetica", "", size)
			for _, row := range cells {
				if i == 0 {
					for _, word := range strings.Fields(row[0]) {
						minW[0] = max(minW[0], pdf.GetStringWidth(word)+cellPad)
					}
					natural = max(natural, pdf.GetStringWidth(row[0])+cellPad)
					continue
				}
				minW[i] = max(minW[i], pdf.GetStringWidth(row[i])+cellPad)
			}
		}
		values := 0.0
		for _, w := range minW[1:] {
			values += w
		}
		// Some air in each value column, or a smaller type.
		if minW[0]+values+2.5*float64(n-1) > total {
			if size > 6.5 {
				continue
			}
			break
		}
		// The labels get their room first (up to a share of the width),
		// the value columns what is left, in equal parts beyond their own.
		share := 0.45
		switch {
		case n == 2:
			share = 0.7
		case n > 5:
			share = 0.34
		}
		widths[0] = max(minW[0], min(max(natural, total*0.3), total*share, total-values))
		extra := (total - widths[0] - values) / float64(n-1)
		for i := 1; i < n; i++ {
			widths[i] = minW[i] + extra
		}
		return size, widths, true
	}
	// Too wide even at 6.5 pt: equal columns (a word may be cut; the
	// document's tables come here only through pageTables, for a single
	// column too wide for the page).
	for i := range widths {
		widths[i] = total / float64(n)
	}
	return 6.5, widths, false
}

// pageTables is t as printed on a portrait page (total wide): t itself, or, when its
// columns cannot fit without cutting a word (the Annexe 1 of a region of
// thirteen départements), tables of its first column and as many of the
// next columns as fit, in parts of even size, « (suite) » after the first.
// The document keeps one table: the chat, the XLSX and the tests read it.
func pageTables(pdf *fpdf.Fpdf, t indicators.Table, total float64) []indicators.Table {
	if _, _, ok := fitColumns(pdf, t.Header, tableCells(t), total); ok || len(t.Header) <= 2 {
		return []indicators.Table{t}
	}
	fits := func(cols []int) bool {
		part := columns(t, cols, "")
		_, _, ok := fitColumns(pdf, part.Header, tableCells(part), total)
		return ok
	}
	// As many parts as a greedy cut needs, then the columns shared evenly
	// among them when every even part fits too.
	var greedy [][]int
	cols := []int{0}
	for i := 1; i < len(t.Header); i++ {
		if len(cols) > 1 && !fits(append(slices.Clone(cols), i)) {
			greedy = append(greedy, cols)
			cols = []int{0}
		}
		cols = append(cols, i)
	}
	groups := append(greedy, cols)
	even := make([][]int, len(groups))
	values := len(t.Header) - 1
	for g, next := 0, 1; g < len(groups); g++ {
		size := values / len(groups)
		if g < values%len(groups) {
			size++
		}
		even[g] = []int{0}
		for ; size > 0; size-- {
			even[g] = append(even[g], next)
			next++
		}
		if !fits(even[g]) {
			even = nil
			break
		}
	}
	if even != nil {
		groups = even
	}
	out := make([]indicators.Table, len(groups))
	for g, cols := range groups {
		title := t.Title
		if g > 0 {
			title += " (suite)"
		}
		out[g] = columns(t, cols, title)
	}
	return out
}

// columns is the table of t's columns cols, titled title.
func columns(t indicators.Table, cols []int, title string) indicators.Table {
	out := indicators.Table{Name: t.Name, Title: title, Header: make([]string, len(cols)), Rows: make([][]any, len(t.Rows))}
	for j, c := range cols {
		out.Header[j] = t.Header[c]
	}
	for k, r := range t.Rows {
		out.Rows[k] = make([]any, len(cols))
		for j, c := range cols {
			if c < len(r) {
				out.Rows[k][j] = r[c]
			}
		}
	}
	return out
}

func rowHeight(pdf *fpdf.Fpdf, cells []string, widths []float64, lineH float64) float64 {
	lines := 1
	for i, c := range cells {
		lines = max(lines, len(pdf.SplitText(c, widths[i])))
	}
	return float64(lines)*lineH + 2
}

func row(pdf *fpdf.Fpdf, tr func(string) string, cells []string, widths []float64, lineH float64, fill bool) {
	h := rowHeight(pdf, cells, widths, lineH)
	x, y := pdf.GetX(), pdf.GetY()
	for i, c := range cells {
		style := "D"
		if fill {
			style = "FD"
		}
		pdf.Rect(x, y, widths[i], h, style)
		align := "R"
		if i == 0 || fill {
			align = "L"
		}
		// SplitText measures UTF-8 text, inside the cell margins (1 mm each
		// side); each line is translated after.
		for j, line := range pdf.SplitText(c, widths[i]) {
			pdf.SetXY(x+1, y+1+float64(j)*lineH)
			pdf.CellFormat(widths[i]-2, lineH, tr(line), "", 0, align, false, 0, "")
		}
		x += widths[i]
	}
	pdf.SetXY(margin, y+h)
}

// FrenchCell writes a table cell as people read it, in the documents and in
// the chat: thousands spaced, a decimal comma, "–" for an undefined mean.
func FrenchCell(c any) string {
	switch v := c.(type) {
	case string:
		if v == "" {
			return "–"
		}
		return v
	case int:
		return frtext.Number(v)
	case float64:
		s := indicators.Cell(v)
		for i := range len(s) {
			if s[i] == '.' {
				return s[:i] + "," + s[i+1:]
			}
		}
		return s
	}
	return fmt.Sprint(c)
}
