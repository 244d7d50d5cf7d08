package bulkimport

import (
	"time"
)

// importFile is a tracking file held in memory once read: the checks across
// lines, the numbering and the rollups are computed here, in Go, and the
// rows are written with COPY straight into their tables.
type importFile struct {
	// chunks hold the good lines in line order, rowChunk a chunk: a
	// million rows of 280 bytes are never copied to grow one slice (with
	// the collector running, that copy alone took 2.5 s). See row.
	chunks [][]Row
	n      int32 // the rows
	// sheetOf[i] is the index in sheets of row(i)'s sheet.
	sheetOf []int32
	sheets  []importSheet // one per sheet id, in order of first line
	// personOf[i] is the person (beneficiary code) of row(i), numbered
	// from 0 in order of first line; people counts them. Set by checks.
	personOf []int32
	people   int
	// mediators maps each mediator of the file to the département of its
	// first line. Set by checks.
	mediators map[string]string
	// problems are the lines the row source could not read (the first
	// MaxProblems), problemCount counts them all.
	problems     []Problem
	problemCount int
}

// rowChunkBits sizes importFile's chunks: 65 536 rows, 18 MB.
const rowChunkBits = 16

// row is the i-th good line of the file.
func (f *importFile) row(i int32) *Row {
	return &f.chunks[i>>rowChunkBits][i&(1<<rowChunkBits-1)]
}

// add appends a row.
func (f *importFile) add(r Row) {
	if f.n&(1<<rowChunkBits-1) == 0 {
		size := 1 << rowChunkBits
		if f.n == 0 {
			size = 1024 // a small file stays small; the first chunk grows
		}
		f.chunks = append(f.chunks, make([]Row, 0, size))
	}
	last := len(f.chunks) - 1
	f.chunks[last] = append(f.chunks[last], r)
	f.n++
}

// importSheet is one sheet of the file. Once the checks have passed, its
// first line stands for all of its lines (they agree outside the request).
type importSheet struct {
	first    int32 // the row of its first line (see importFile.row)
	lastLine int   // the file line of its last line
	rights   bool  // it has a rights request ("droits")
	care     bool  // it has a care request ("soins")

	// Set by the writer once the database was read:
	known         bool  // already in the database (same id): skipped
	mediatorID    int64 // mediators.id
	beneficiaryID int64 // beneficiaries.id
	newPerson     bool  // its person is created by this import
}

// importDayKey is a (mediator, day) key of the rollups.
type importDayKey struct {
	mediatorID int64
	day        time.Time // the sheet's calendar day at midnight UTC (see Day)
}
