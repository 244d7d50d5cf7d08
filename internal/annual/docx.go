package annual

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/relais-sante/relais/internal/indicators"
)

// DOCX writes the document as a Word file (Office Open XML), the version
// coordinators edit: styles Title, Heading1, Heading2 and Caption so Word
// and LibreOffice build a table of contents; each section starts on a new
// page; tables with borders; charts as inline PNG images. No Go library for
// DOCX is maintained on the module proxy, so this is the smallest writer
// the document needs: the parts below and nothing else.
func (d *Document) DOCX(w io.Writer) error {
	var body strings.Builder
	var media [][]byte
	para(&body, "Title", d.Title, false)
	if d.Provisional != "" {
		para(&body, "Subtitle", "Rapport "+d.Provisional, false)
	}
	para(&body, "Subtitle", d.Subtitle, false)
	sections := append([]Section{{Title: keyTitle}, d.Context}, d.Sections...)
	// The table of contents is a field Word and LibreOffice fill with the
	// page numbers (F9, or Outils > Mettre à jour); until then it lists the
	// sections.
	body.WriteString(`<w:p><w:pPr><w:pStyle w:val="TOCHeading"/><w:pageBreakBefore/></w:pPr>` + run(tocTitle, false) + `</w:p>`)
	body.WriteString(`<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \o "1-1" \h \z \u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r></w:p>`)
	for _, s := range sections {
		para(&body, "TOC1", s.Title, false)
	}
	body.WriteString(`<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>`)
	for i, s := range sections {
		body.WriteString(`<w:p><w:pPr><w:pStyle w:val="Heading1"/><w:pageBreakBefore/></w:pPr>` + run(s.Title, false) + `</w:p>`)
		if i == 0 {
			keyFiguresDOCX(&body, d.KeyFigures)
		}
		for _, b := range s.Blocks {
			switch b := b.(type) {
			case Paragraph:
				para(&body, "", b.Text, b.Edit)
			case Heading:
				para(&body, "Heading2", b.Text, false)
			case Table:
				docxTable(&body, b)
			case Image:
				media = append(media, b.PNG)
				para(&body, "Caption", b.Caption, false)
				if err := drawing(&body, b, len(media)); err != nil {
					return err
				}
			}
		}
		for _, n := range s.Notes {
			para(&body, "Note", "* "+n, false)
		}
	}
	body.WriteString(`<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr>`)

	z := zip.NewWriter(w)
	files := []struct{ name, content string }{
		{"[Content_Types].xml", contentTypes},
		{"_rels/.rels", rootRels},
		{"docProps/core.xml", fmt.Sprintf(coreProps, esc(d.Title), time.Now().UTC().Format(time.RFC3339))},
		{"word/styles.xml", styles},
		{"word/_rels/document.xml.rels", docRels(len(media))},
		{"word/document.xml", xml.Header + `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body>` +
			body.String() + `</w:body></w:document>`},
	}
	for _, f := range files {
		fw, err := z.Create(f.name)
		if err != nil {
			return fmt.Errorf("write DOCX: %w", err)
		}
		if _, err := io.WriteString(fw, f.content); err != nil {
			return fmt.Errorf("write DOCX: %w", err)
		}
	}
	for i, m := range media {
		fw, err := z.Create("word/media/image" + strconv.Itoa(i+1) + ".png")
		if err != nil {
			return fmt.Errorf("write DOCX: %w", err)
		}
		if _, err := fw.Write(m); err != nil {
			return fmt.Errorf("write DOCX: %w", err)
		}
	}
	if err := z.Close(); err != nil {
		return fmt.Errorf("write DOCX: %w", err)
	}
	return nil
}

func esc(s string) string {
	var b bytes.Buffer
	if err := xml.EscapeText(&b, []byte(s)); err != nil {
		return ""
	}
	return b.String()
}

func run(text string, italic bool) string {
	rpr := ""
	if italic {
		rpr = `<w:rPr><w:i/><w:color w:val="808080"/></w:rPr>`
	}
	return `<w:r>` + rpr + `<w:t xml:space="preserve">` + esc(text) + `</w:t></w:r>`
}

func para(b *strings.Builder, style, text string, italic bool) {
	b.WriteString(`<w:p>`)
	if style != "" {
		b.WriteString(`<w:pPr><w:pStyle w:val="` + style + `"/></w:pPr>`)
	}
	b.WriteString(run(text, italic) + `</w:p>`)
}

// docxTable writes the title as a caption, then the table on the page's
// width (9 638 twentieths of a point, 170 mm), its columns and type size
// chosen as in the PDF (fitColumns, Helvetica's widths: Calibri's are
// narrower) so no header word is cut.
func docxTable(b *strings.Builder, t Table) {
	for _, part := range pageTables(fpdf.New("P", "mm", "A4", ""), t.Table, 170) {
		docxTablePart(b, part)
	}
}

func docxTablePart(b *strings.Builder, t indicators.Table) {
	para(b, "Caption", t.Title, false)
	n := len(t.Header)
	if n == 0 {
		return
	}
	const total = 9638
	cells := tableCells(t)
	pt, mm, _ := fitColumns(fpdf.New("P", "mm", "A4", ""), t.Header, cells, 170)
	widths := make([]int, n)
	for i, w := range mm {
		widths[i] = int(w * total / 170)
	}
	size := int(pt * 2) // half-points
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="Grille"/><w:tblW w:w="` + strconv.Itoa(total) + `" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		b.WriteString(`<w:gridCol w:w="` + strconv.Itoa(w) + `"/>`)
	}
	b.WriteString(`</w:tblGrid>`)
	cellRow := func(cells []string, header bool) {
		b.WriteString(`<w:tr>`)
		if header {
			b.WriteString(`<w:trPr><w:tblHeader/></w:trPr>`)
		}
		for i, c := range cells {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(widths[i]) + `" w:type="dxa"/>`)
			if header {
				b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="DDE6F0"/>`)
			}
			jc := "left"
			if i > 0 && !header {
				jc = "right"
			}
			rpr := `<w:sz w:val="` + strconv.Itoa(size) + `"/>`
			if header {
				rpr = `<w:b/>` + rpr
			}
			b.WriteString(`</w:tcPr><w:p><w:pPr><w:spacing w:before="0" w:after="0"/><w:jc w:val="` + jc + `"/></w:pPr><w:r><w:rPr>` + rpr +
				`</w:rPr><w:t xml:space="preserve">` + esc(c) + `</w:t></w:r></w:p></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	cellRow(t.Header, true)
	for _, c := range cells {
		cellRow(c, false)
	}
	b.WriteString(`</w:tbl>`)
	para(b, "", "", false) // Word needs a paragraph between two tables
}

// drawing writes an inline image at the width it was drawn for (15 cm
// when unsaid), its height from the PNG.
func drawing(b *strings.Builder, img Image, id int) error {
	cfg, err := png.DecodeConfig(bytes.NewReader(img.PNG))
	if err != nil {
		return fmt.Errorf("write DOCX: chart %d: %w", id, err)
	}
	cx := 15 * 360000 // EMU per cm
	if img.WidthMM > 0 {
		cx = int(img.WidthMM * 36000)
	}
	cy := int64(cx) * int64(cfg.Height) / int64(cfg.Width)
	sid := strconv.Itoa(id)
	fmt.Fprintf(b, `<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">`+
		`<wp:extent cx="%d" cy="%d"/><wp:docPr id="%s" name="Graphique %s"/>`+
		`<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>`+
		`<pic:nvPicPr><pic:cNvPr id="%s" name="image%s.png"/><pic:cNvPicPr/></pic:nvPicPr>`+
		`<pic:blipFill><a:blip r:embed="rIdImg%s"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>`+
		`<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="%d" cy="%d"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>`+
		`</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>`, cx, cy, sid, sid, sid, sid, sid, cx, cy)
	return nil
}

// keyFiguresDOCX writes the key figures as a two-column table without
// borders: the number large, its label and detail under it.
func keyFiguresDOCX(b *strings.Builder, figures []KeyFigure) {
	const half = 4819
	b.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="9638" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid><w:gridCol w:w="4819"/><w:gridCol w:w="4819"/></w:tblGrid>`)
	for i := 0; i < len(figures); i += 2 {
		b.WriteString(`<w:tr><w:trPr><w:cantSplit/></w:trPr>`)
		for _, f := range figures[i:min(i+2, len(figures))] {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(half) + `" w:type="dxa"/><w:shd w:val="clear" w:color="auto" w:fill="EEF3F8"/></w:tcPr>`)
			para(b, "KeyValue", f.Value, false)
			b.WriteString(`<w:p><w:pPr><w:spacing w:after="0"/><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">` + esc(f.Label) + `</w:t></w:r></w:p>`)
			b.WriteString(`<w:p><w:pPr><w:spacing w:after="160"/><w:jc w:val="center"/></w:pPr>` + run(f.Detail, false) + `</w:p></w:tc>`)
		}
		if i+1 == len(figures) {
			b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="` + strconv.Itoa(half) + `" w:type="dxa"/></w:tcPr><w:p/></w:tc>`)
		}
		b.WriteString(`</w:tr>`)
	}
	b.WriteString(`</w:tbl>`)
	para(b, "", "", false)
}

func docRels(images int) string {
	var b strings.Builder
	b.WriteString(xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rIdStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	for i := 1; i <= images; i++ {
		fmt.Fprintf(&b, `<Relationship Id="rIdImg%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/image%d.png"/>`, i, i)
	}
	b.WriteString(`</Relationships>`)
	return b.String()
}

const contentTypes = xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
	`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
	`<Default Extension="xml" ContentType="application/xml"/>` +
	`<Default Extension="png" ContentType="image/png"/>` +
	`<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>` +
	`<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>` +
	`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
	`</Types>`

const rootRels = xml.Header + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

const coreProps = xml.Header + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
	`<dc:title>%s</dc:title><dc:creator>Relais</dc:creator><dc:language>fr-FR</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>`

const styles = xml.Header + `<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">` +
	`<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:cs="Calibri"/><w:sz w:val="21"/><w:lang w:val="fr-FR"/></w:rPr></w:rPrDefault>` +
	`<w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>` +
	`<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="2400" w:after="480"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:sz w:val="44"/><w:color w:val="1F4E79"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Subtitle"><w:name w:val="Subtitle"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="24"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="240"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/><w:color w:val="1F4E79"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:spacing w:before="240" w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/><w:color w:val="1F4E79"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="9628"/></w:tabs><w:spacing w:after="100"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="KeyValue"><w:name w:val="Key value"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="120" w:after="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:b/><w:sz w:val="48"/><w:color w:val="1F4E79"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="200" w:after="120"/><w:outlineLvl w:val="1"/></w:pPr><w:rPr><w:b/><w:sz w:val="26"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="120" w:after="60"/></w:pPr><w:rPr><w:b/><w:sz w:val="19"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="40"/></w:pPr><w:rPr><w:i/><w:sz w:val="16"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:styleId="Grille"><w:name w:val="Grille"/><w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:left w:val="single" w:sz="4" w:space="0" w:color="999999"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:right w:val="single" w:sz="4" w:space="0" w:color="999999"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="999999"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="999999"/>` +
	`</w:tblBorders><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`</w:styles>`
