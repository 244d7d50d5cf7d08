package bulkimport

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyRow appends one row of PostgreSQL's binary COPY format. The import
// writes millions of values whose types it knows: encoded here, they cost
// no boxing into interfaces and no lookup of an encoding plan per value
// (pgx's CopyFrom spent 2 s of CPU on a million lines doing both).
type copyRow struct {
	buf []byte
	w   io.Writer // where full buffers go (see end)
	err error     // the first write's error
}

func (c *copyRow) begin(fields int) { c.buf = binary.BigEndian.AppendUint16(c.buf, uint16(fields)) }

func (c *copyRow) null() { c.buf = binary.BigEndian.AppendUint32(c.buf, math.MaxUint32) } // length -1

func (c *copyRow) text(s string) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(len(s)))
	c.buf = append(c.buf, s...)
}

func (c *copyRow) bytes(b []byte) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(len(b)))
	c.buf = append(c.buf, b...)
}

func (c *copyRow) int8(v int64) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 8)
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(v))
}

func (c *copyRow) int4(v int32) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 4)
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(v))
}

// age writes an age, NULL for noAge.
func (c *copyRow) age(v int32) {
	if v == noAge {
		c.null()
		return
	}
	c.int4(v)
}

// pgEpoch is PostgreSQL's time 0 for timestamps.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// pgEpochDays is day 0 of PostgreSQL's dates, in days since 1970-01-01.
const pgEpochDays = 10957

// unixDay writes a date given in days since 1970-01-01.
func (c *copyRow) unixDay(d int32) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 4)
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(d-pgEpochDays))
}

func (c *copyRow) boolean(b bool) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 1)
	if b {
		c.buf = append(c.buf, 1)
	} else {
		c.buf = append(c.buf, 0)
	}
}

func (c *copyRow) timestamptz(t time.Time) {
	c.buf = binary.BigEndian.AppendUint32(c.buf, 8)
	c.buf = binary.BigEndian.AppendUint64(c.buf, uint64(t.Sub(pgEpoch).Microseconds()))
}

// textOID is text's type id, written in a text[] value.
const textOID = 25

// wordArray writes the words items of v as a text[].
func (c *copyRow) wordArray(v *vocabulary, items []uint16) {
	size := 20
	for _, w := range items {
		size += 4 + len(v.word(w))
	}
	if len(items) == 0 {
		size = 12
	}
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(size))
	if len(items) == 0 {
		// No dimension: '{}'.
		c.buf = binary.BigEndian.AppendUint32(c.buf, 0) // ndim
		c.buf = binary.BigEndian.AppendUint32(c.buf, 0) // has nulls
		c.buf = binary.BigEndian.AppendUint32(c.buf, textOID)
		return
	}
	c.buf = binary.BigEndian.AppendUint32(c.buf, 1) // ndim
	c.buf = binary.BigEndian.AppendUint32(c.buf, 0) // has nulls
	c.buf = binary.BigEndian.AppendUint32(c.buf, textOID)
	c.buf = binary.BigEndian.AppendUint32(c.buf, uint32(len(items)))
	c.buf = binary.BigEndian.AppendUint32(c.buf, 1) // lower bound
	for _, w := range items {
		c.text(v.word(w))
	}
}

// copyBinary writes n rows into table's columns with COPY … (FORMAT
// binary); row(c, i) appends the i-th row. The rows are encoded in a
// goroutine while PostgreSQL reads them.
func copyBinary(ctx context.Context, tx pgx.Tx, table string, columns []string, n int, row func(c *copyRow, i int)) (int64, error) {
	return copyStream(ctx, tx, table, columns, func(c *copyRow) {
		for i := range n {
			row(c, i)
			c.end()
		}
	})
}

// copyStream is copyBinary for rows made as they go: rows appends each
// row to c (begin, its fields) and calls c.end after it.
func copyStream(ctx context.Context, tx pgx.Tx, table string, columns []string, rows func(c *copyRow)) (int64, error) {
	pr, pw := io.Pipe()
	go func() {
		c := &copyRow{buf: make([]byte, 0, 1<<17), w: pw}
		c.buf = append(c.buf, "PGCOPY\n\xff\r\n\x00"...)
		c.buf = binary.BigEndian.AppendUint32(c.buf, 0) // flags
		c.buf = binary.BigEndian.AppendUint32(c.buf, 0) // header extension
		rows(c)
		if c.err != nil {
			return // the reader failed: CopyFrom reports why
		}
		c.buf = binary.BigEndian.AppendUint16(c.buf, math.MaxUint16) // trailer: -1
		_, err := pw.Write(c.buf)
		pw.CloseWithError(err) // nil: end of data
	}()
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN (FORMAT binary)", pgx.Identifier{table}.Sanitize(), strings.Join(columns, ", "))
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, pr, sql)
	// Unblocks the writer if COPY stopped reading early.
	if cerr := pr.CloseWithError(io.ErrClosedPipe); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// end ends a row: a full buffer goes to PostgreSQL. Once that failed, the
// rows are dropped (COPY has stopped reading, and says why).
func (c *copyRow) end() {
	if len(c.buf) < 1<<16 {
		return
	}
	if c.err == nil {
		_, c.err = c.w.Write(c.buf)
	}
	c.buf = c.buf[:0]
}
