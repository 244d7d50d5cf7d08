package annual

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/relais-sante/relais/internal/frtext"

	"codeberg.org/go-pdf/fpdf"

	"github.com/relais-sante/relais/internal/indicators"
)

// A4 portrait, millimetres.
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	bodyW        = pageW - 2*margin
)

// PDF writes the document as PDF: a title page, then each section on a new
// page, tables repeating their header across pages, charts as images,
// footnotes under each section. The core fonts read Windows-1252, which
// holds every French letter; the translator maps the UTF-8 text to it.
func (d *Document) PDF(w io.Writer) error {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, margin)
	pdf.SetTitle(d.Title, true)
	pdf.SetCreator("Relais", true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("Helvetica", "I", 8)
		pdf.CellFormat(0, 5, tr("Bilan régional – page ")+strconv.Itoa(pdf.PageNo()), "", 0, "C", false, 0, "")
	})

	pdf.AddPage()
	pdf.SetY(90)
	pdf.SetFont("Helvetica", "B", 22)
	pdf.MultiCell(bodyW, 10, tr(d.Title), "", "C", false)
	pdf.Ln(8)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(bodyW, 6, tr(d.Subtitle), "", "C", false)

	images := 0
	d.SectionPages = d.SectionPages[:0]
	for _, s := range d.Sections {
		pdf.AddPage()
		d.SectionPages = append(d.SectionPages, pdf.PageNo())
		pdf.SetFont("Helvetica", "B", 16)
		pdf.SetTextColor(0x1f, 0x4e, 0x79)
		pdf.MultiCell(bodyW, 8, tr(s.Title), "", "L", false)
		pdf.SetTextColor(0, 0, 0)
		pdf.Ln(3)
		for _, b := range s.Blocks {
			switch b := b.(type) {
			case Paragraph:
				style := ""
				if b.Edit {
					style = "I"
					pdf.SetTextColor(0x80, 0x80, 0x80)
				}
				pdf.SetFont("Helvetica", style, 10)
				pdf.MultiCell(bodyW, 5, tr(b.Text), "", "L", false)
				pdf.SetTextColor(0, 0, 0)
				pdf.Ln(2)
			case Heading:
				pdf.Ln(2)
				pdf.SetFont("Helvetica", "B", 12)
				pdf.MultiCell(bodyW, 6, tr(b.Text), "", "L", false)
				pdf.Ln(1)
			case Table:
				pdfTable(pdf, tr, b.Table)
			case Image:
				images++
				name := "chart" + strconv.Itoa(images)
				info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}, bytes.NewReader(b.PNG))
				if info == nil {
					return fmt.Errorf("write PDF: image %s: %w", name, pdf.Error())
				}
				w := bodyW * 0.85
				h := w * info.Height() / info.Width()
				if pdf.GetY()+h > pageH-margin-10 {
					pdf.AddPage()
				}
				pdf.ImageOptions(name, margin+(bodyW-w)/2, pdf.GetY(), w, h, true, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
				pdf.SetFont("Helvetica", "I", 9)
				pdf.MultiCell(bodyW, 5, tr(b.Caption), "", "C", false)
				pdf.Ln(3)
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

// pdfTable draws a table whose cells wrap: the first column gets room for
// labels, the others share the rest; the header repeats on a new page.
func pdfTable(pdf *fpdf.Fpdf, tr func(string) string, t indicators.Table) {
	n := len(t.Header)
	if n == 0 {
		return
	}
	size := 9.0
	if n > 6 {
		size = 7
	}
	if n > 10 {
		size = 6
	}
	first := bodyW * 0.34
	if n > 6 { // Annexe 1 and the wide tables: room for "Pas-de-Calais" in a header
		first = bodyW * 0.3
	}
	if n == 1 {
		first = bodyW
	} else if n == 2 {
		first = bodyW * 0.7
	}
	widths := make([]float64, n)
	widths[0] = first
	for i := 1; i < n; i++ {
		widths[i] = (bodyW - first) / float64(n-1)
	}
	lineH := size * 0.45
	// The title, the header and a first row stay together.
	if pdf.GetY()+6+rowHeight(pdf, t.Header, widths, lineH)+3*lineH+2 > pageH-margin-8 {
		pdf.AddPage()
	}
	pdf.Ln(1)
	pdf.SetFont("Helvetica", "B", size+1)
	pdf.MultiCell(bodyW, 5, tr(t.Title), "", "L", false)
	header := func() {
		pdf.SetFont("Helvetica", "B", size)
		pdf.SetFillColor(0xdd, 0xe6, 0xf0)
		row(pdf, tr, t.Header, widths, lineH, true)
		pdf.SetFont("Helvetica", "", size)
	}
	header()
	for _, r := range t.Rows {
		cells := make([]string, n)
		for i := range n {
			if i < len(r) {
				cells[i] = FrenchCell(r[i])
			}
		}
		if pdf.GetY()+rowHeight(pdf, cells, widths, lineH) > pageH-margin-8 {
			pdf.AddPage()
			header()
		}
		row(pdf, tr, cells, widths, lineH, false)
	}
	pdf.Ln(4)
}

func rowHeight(pdf *fpdf.Fpdf, cells []string, widths []float64, lineH float64) float64 {
	lines := 1
	for i, c := range cells {
		lines = max(lines, len(pdf.SplitText(c, widths[i]-2)))
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
		// SplitText measures UTF-8 text; each line is translated after.
		for j, line := range pdf.SplitText(c, widths[i]-2) {
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
