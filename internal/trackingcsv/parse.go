// Package trackingcsv reads and writes the tracking CSV format of the domain
// description (one line per request, the mediators' "tableaux de suivi"
// saved as CSV): parsing with a French reason for every bad line, the
// all-or-nothing import behind `relais import`, and the raw-rows export.
package trackingcsv

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/relais-sante/relais/internal/bulkimport"
	"github.com/relais-sante/relais/internal/codes"
	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/territory"
)

// Header is the columns of the format, in order. Files may order them
// differently and carry extra columns (ignored, a note column included).
var Header = []string{"sheet_id", "date", "mediator", "departement", "beneficiary", "sex", "age", "qpv",
	"resources", "contact_mode", "level", "social_protection", "request_kind", "request_type", "status",
	"follow_up", "obstacles"}

const (
	colSheet = iota
	colDate
	colMediator
	colDepartement
	colBeneficiary
	colSex
	colAge
	colQPV
	colResources
	colContactMode
	colLevel
	colSocialProtection
	colRequestKind
	colRequestType
	colStatus
	colFollowUp
	colObstacles
)

// Parse reads a tracking file and yields one row per line, or an
// *bulkimport.Problem naming the line and every reason it is wrong. It
// accepts a UTF-8 BOM, ';' as separator (French Excel), dates as
// AAAA-MM-JJ or JJ/MM/AAAA and départements without their leading zero.
// A line's département must be one of the served regions' (RELAIS_REGIONS):
// a deployment imports only what its reports count.
// A read error (not a bad line) is yielded as a plain error and ends.
func Parse(r io.Reader, served territory.Served) iter.Seq2[bulkimport.Row, error] {
	return func(yield func(bulkimport.Row, error) bool) {
		br := bufio.NewReaderSize(r, 64<<10)
		// A file shorter than 3 bytes has no BOM: Peek's error is the parser's to meet.
		if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
			if _, err := br.Discard(3); err != nil {
				yield(bulkimport.Row{}, fmt.Errorf("read the file: %w", err))
				return
			}
		}
		cr := csv.NewReader(br)
		cr.Comma = sniffComma(br)
		cr.FieldsPerRecord = -1

		cr.ReuseRecord = false
		head, err := cr.Read()
		cr.ReuseRecord = true
		if errors.Is(err, io.EOF) {
			yield(bulkimport.Row{}, &bulkimport.Problem{Line: 1, Reason: "fichier vide : la première ligne doit être l'en-tête " + strings.Join(Header, ",")})
			return
		}
		if err != nil {
			yield(bulkimport.Row{}, &bulkimport.Problem{Line: 1, Reason: "en-tête illisible : " + csvReason(err)})
			return
		}
		now := time.Now() // once per file: visit dates must not be after it
		index, missing := columnIndex(head)
		if len(missing) > 0 {
			yield(bulkimport.Row{}, &bulkimport.Problem{Line: 1, Reason: fmt.Sprintf(
				"%s dans l'en-tête : %s (attendu : %s)", frtext.Plural(len(missing), "colonne manquante", "colonnes manquantes"),
				strings.Join(missing, ", "), strings.Join(Header, ","))})
			return
		}
		// Reading and checking run side by side, a batch of lines at a
		// time, while the caller takes the rows in file order; batches are
		// used again once taken.
		// When the caller stops early, Parse returns once its goroutines
		// have: r is the caller's again, read no further.
		var wg sync.WaitGroup
		defer wg.Wait()
		done := make(chan struct{})
		defer close(done)
		free := make(chan *lineBatch, 8)
		deps := newCodeField("département", false, codes.DepartementsOf(served))
		for b := range checkedBatches(&wg, done, readBatches(&wg, done, free, cr), deps, index, len(head), now) {
			for _, it := range b.lines {
				if !yield(it.row, it.err) {
					return
				}
			}
			select {
			case free <- b:
			default:
			}
		}
	}
}

// parsedLine is one outcome of the file in order: a row, a line problem,
// or the read error that ends it.
type parsedLine struct {
	rec  []string // until checked
	line int
	row  bulkimport.Row
	err  error
}

// lineBatch is a batch of lines with their fields.
type lineBatch struct {
	lines  []parsedLine
	fields []string
}

const batchLines = 1024

// readBatches reads records into batches (taken from free when one is
// there) and closes its channel at the end of the file or after a read
// error.
func readBatches(wg *sync.WaitGroup, done <-chan struct{}, free chan *lineBatch, cr *csv.Reader) <-chan *lineBatch {
	out := make(chan *lineBatch, 4)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(out)
		next := func() *lineBatch {
			select {
			case b := <-free:
				b.lines, b.fields = b.lines[:0], b.fields[:0]
				return b
			default:
				return &lineBatch{lines: make([]parsedLine, 0, batchLines)}
			}
		}
		b := next()
		send := func() bool {
			select {
			case out <- b:
				b = next()
				return true
			case <-done:
				return false
			}
		}
		for {
			select {
			case <-done: // the caller stopped: no further read
				return
			default:
			}
			rec, err := cr.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			var pe *csv.ParseError
			switch {
			case errors.As(err, &pe):
				b.lines = append(b.lines, parsedLine{err: &bulkimport.Problem{Line: pe.StartLine, Reason: csvReason(err)}})
			case err != nil:
				b.lines = append(b.lines, parsedLine{err: fmt.Errorf("read tracking file: %w", err)})
				send()
				return
			default:
				line, _ := cr.FieldPos(0)
				if !blank(rec) {
					// rec is the reader's, used again: its fields are copied.
					start := len(b.fields)
					b.fields = append(b.fields, rec...)
					b.lines = append(b.lines, parsedLine{rec: b.fields[start:len(b.fields):len(b.fields)], line: line})
				}
			}
			if len(b.lines) == batchLines && !send() {
				return
			}
		}
		if len(b.lines) > 0 {
			send()
		}
	}()
	return out
}

// checkers is how many goroutines check lines: checking costs about twice
// the reading.
const checkers = 2

// checkedBatches checks the records of the batches with several workers
// and gives the batches back in file order, each once checked.
func checkedBatches(wg *sync.WaitGroup, done <-chan struct{}, in <-chan *lineBatch, deps codeField, index []int, width int, now time.Time) <-chan *lineBatch {
	type job struct {
		b     *lineBatch
		ready chan struct{}
	}
	work := make(chan job, checkers)
	ordered := make(chan job, 2*checkers)
	wg.Add(2 + checkers)
	go func() {
		defer wg.Done()
		defer close(work)
		defer close(ordered)
		for b := range in {
			j := job{b, make(chan struct{})}
			select {
			case ordered <- j:
			case <-done:
				return
			}
			select {
			case work <- j:
			case <-done:
				return
			}
		}
	}()
	for range checkers {
		go func() {
			defer wg.Done()
			for j := range work {
				checkBatch(j.b, deps, index, width, now)
				close(j.ready)
			}
		}()
	}
	out := make(chan *lineBatch, 4)
	go func() {
		defer wg.Done()
		defer close(out)
		for j := range ordered {
			select {
			case <-j.ready:
			case <-done:
				return
			}
			select {
			case out <- j.b:
			case <-done:
				return
			}
		}
	}()
	return out
}

// checkBatch turns each record of b into a row or a line problem.
func checkBatch(b *lineBatch, deps codeField, index []int, width int, now time.Time) {
	for i := range b.lines {
		it := &b.lines[i]
		if it.rec == nil {
			continue
		}
		row, reasons := checkRecord(it.rec, deps, index, width, now)
		row.Line = it.line
		it.row, it.err = bulkimport.Row{}, nil
		if len(reasons) > 0 {
			it.err = &bulkimport.Problem{Line: it.line, Reason: strings.Join(reasons, " ; ")}
		} else {
			it.row = row
		}
		it.rec = nil
	}
}

// sniffComma picks ';' when the header line has more semicolons than commas.
func sniffComma(br *bufio.Reader) rune {
	peek, _ := br.Peek(4096)
	if i := bytes.IndexByte(peek, '\n'); i >= 0 {
		peek = peek[:i]
	}
	if bytes.Count(peek, []byte(";")) > bytes.Count(peek, []byte(",")) {
		return ';'
	}
	return ','
}

func csvReason(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote), errors.Is(pe.Err, csv.ErrBareQuote):
			return fmt.Sprintf("guillemets mal placés (colonne %d)", pe.Column)
		}
		return "ligne illisible : " + pe.Err.Error()
	}
	return err.Error()
}

func columnIndex(head []string) ([]int, []string) {
	index := make([]int, len(Header))
	var missing []string
	for i, name := range Header {
		index[i] = slices.IndexFunc(head, func(h string) bool {
			return strings.EqualFold(strings.TrimSpace(h), name)
		})
		if index[i] < 0 {
			missing = append(missing, name)
		}
	}
	return index, missing
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// codeField is a column whose value must be a code of a list. Its codes
// are a set: a million lines check a dozen columns each.
type codeField struct {
	name     string // French name in messages
	feminine bool
	list     codes.List
	upper    bool // the list's codes are upper case (F, M, X)
	set      map[string]bool
}

func newCodeField(name string, feminine bool, list codes.List) codeField {
	f := codeField{name: name, feminine: feminine, list: list, upper: list.Has("F"), set: map[string]bool{}}
	for _, c := range list {
		f.set[c.Code] = true
	}
	return f
}

var (
	sexField        = newCodeField("sexe", false, codes.Sex)
	qpvField        = newCodeField("QPV", false, codes.QPV)
	resourcesField  = newCodeField("ressource", true, codes.Resources)
	contactField    = newCodeField("mode de contact", false, codes.ContactModes)
	levelField      = newCodeField("niveau", false, codes.Levels)
	protectionField = newCodeField("protection sociale", true, codes.YesNo)
	kindField       = newCodeField("nature de demande", true, codes.RequestKinds)
	statusField     = newCodeField("statut", false, codes.Statuses)
	obstacleField   = newCodeField("frein", false, codes.Obstacles)
	// The type of a request, by its kind.
	requestTypeFields = map[string]codeField{
		"droits": newCodeField("type de demande droits", false, codes.RequestTypes("droits")),
		"soins":  newCodeField("type de demande soins", false, codes.RequestTypes("soins")),
	}
)

// check returns the normalised code, or a French reason.
func (f codeField) check(v string) (string, string) {
	code := strings.ToLower(v)
	if f.upper {
		code = strings.ToUpper(v)
	}
	if f.set[code] {
		return code, ""
	}
	e := ""
	if f.feminine {
		e = "e"
	}
	if v == "" {
		return "", fmt.Sprintf("%s manquant%s (%s)", f.name, e, frList(f.list.Codes()))
	}
	return "", fmt.Sprintf("%s « %s » inconnu%s (%s)", f.name, v, e, frList(f.list.Codes()))
}

// frList joins codes the French way: "F, M ou X".
func frList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " ou " + items[len(items)-1]
}

// checkRecord checks one line; deps is the served départements' field.
func checkRecord(rec []string, deps codeField, index []int, width int, now time.Time) (bulkimport.Row, []string) {
	var reasons []string
	get := func(col int) string {
		if index[col] >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[index[col]])
	}
	code := func(f codeField, v string) string {
		c, reason := f.check(v)
		if reason != "" {
			reasons = append(reasons, reason)
		}
		return c
	}
	ident := func(name string, feminine bool, v string) string {
		switch {
		case v == "":
			e := ""
			if feminine {
				e = "e"
			}
			reasons = append(reasons, name+" manquant"+e)
		case strings.ContainsAny(v[:1], "=+-@") || strings.ContainsFunc(v, func(r rune) bool { return r < ' ' }):
			reasons = append(reasons, fmt.Sprintf("%s « %s » invalide (ne doit pas commencer par =, +, - ou @)", name, v))
		}
		return v
	}
	if len(rec) != width {
		return bulkimport.Row{}, []string{fmt.Sprintf(
			"%d colonnes au lieu de %d (une valeur contenant le séparateur doit être entre guillemets)", len(rec), width)}
	}

	var row bulkimport.Row
	row.SheetID = ident("identifiant de fiche (sheet_id)", false, get(colSheet))
	if d, reason := parseDate("date", get(colDate)); reason != "" {
		reasons = append(reasons, reason)
	} else if reason := plausibleVisit(d, now); reason != "" {
		reasons = append(reasons, fmt.Sprintf("date « %s » %s", get(colDate), reason))
	} else {
		row.Date = d
	}
	row.Mediator = ident("identifiant du médiateur", false, get(colMediator))
	dep := get(colDepartement)
	if len(dep) == 1 && dep >= "1" && dep <= "9" {
		dep = "0" + dep // Excel drops the leading zero of 02
	}
	row.Departement = code(deps, dep)
	row.Beneficiary = ident("code bénéficiaire", false, get(colBeneficiary))
	row.Sex = code(sexField, get(colSex))
	if a := get(colAge); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 || n > 120 {
			reasons = append(reasons, fmt.Sprintf("âge « %s » invalide (nombre entier de 0 à 120)", a))
		} else {
			row.Age = &n
		}
	}
	row.QPV = code(qpvField, get(colQPV))
	row.Resources = code(resourcesField, get(colResources))
	row.ContactMode = code(contactField, get(colContactMode))
	row.Level = code(levelField, get(colLevel))
	row.SocialProtection = code(protectionField, get(colSocialProtection))

	kind, typ, status := get(colRequestKind), get(colRequestType), get(colStatus)
	if kind != "" || typ != "" || status != "" {
		row.RequestKind = code(kindField, kind)
		if row.RequestKind != "" {
			row.RequestType = code(requestTypeFields[row.RequestKind], typ)
		}
		row.Status = code(statusField, status)
	}
	if f := get(colFollowUp); f != "" {
		if d, reason := parseDate("date de suivi", f); reason != "" {
			reasons = append(reasons, reason)
		} else {
			row.FollowUp = &d
		}
	}
	for _, o := range strings.FieldsFunc(get(colObstacles), func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if c := code(obstacleField, o); c != "" && !slices.Contains(row.Obstacles, c) {
			row.Obstacles = append(row.Obstacles, c)
		}
	}
	return row, reasons
}

// firstVisit is the earliest accompaniment date an import accepts: health
// mediation tables do not go further back; an earlier year is a typo.
var firstVisit = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// plausibleVisit refuses a visit date in the future (a day of margin for
// time zones) or before firstVisit.
func plausibleVisit(d, now time.Time) string {
	switch {
	case d.After(now.AddDate(0, 0, 1)):
		return "dans le futur"
	case d.Before(firstVisit):
		return "trop ancienne (avant 2000)"
	}
	return ""
}

func parseDate(name, v string) (time.Time, string) {
	if v == "" {
		return time.Time{}, name + " manquante"
	}
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				break
			}
			return t, ""
		}
	}
	return time.Time{}, fmt.Sprintf("%s « %s » invalide (AAAA-MM-JJ)", name, v)
}
