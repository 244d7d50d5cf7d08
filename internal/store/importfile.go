package store

import (
	"time"
)

// importFile is a tracking file held in memory once read: the checks across
// lines, the numbering and the rollups are computed here, in Go, and the
// rows are written with COPY straight into their tables.
type importFile struct {
	rows []ImportRow // the good lines, in file order (their Line grows)
	// sheetOf[i] is the index in sheets of rows[i]'s sheet.
	sheetOf []int32
	sheets  []importSheet // one per sheet id, in order of first line
	// personOf[i] is the person (beneficiary code) of rows[i], numbered
	// from 0 in order of first line; people counts them. Set by checks.
	personOf []int32
	people   int
	// problems are the lines the row source could not read (the first
	// MaxImportProblems), problemCount counts them all.
	problems     []ImportProblem
	problemCount int
}

// importSheet is one sheet of the file. Once the checks have passed, its
// first line stands for all of its lines (they agree outside the request).
type importSheet struct {
	first    int32 // index in importFile.rows of its first line
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
