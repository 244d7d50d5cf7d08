package bulkimport

import (
	"hash/maphash"
	"math"
	"strings"
	"time"
)

// importFile is a tracking file held in memory once read, compactly: the
// checks across lines, the numbering and the rollups are computed here, in
// Go, and the rows are written with COPY straight into their tables.
// A line is a fileRow of integers (52 bytes, no pointer for the collector
// to follow): its sheet id, person code and mediator are numbered in
// order of first line (names), its codes are words of a small vocabulary.
// A million lines take about 100 MB, where rows of strings took 740.
type importFile struct {
	// chunks hold the good lines in line order, 1<<rowChunkBits a chunk:
	// a million rows are never copied to grow one slice (see at).
	chunks [][]fileRow
	n      int32 // the rows
	// sheets are one per sheet id, in order of first line (sheetIDs
	// numbers them so); people and mediators likewise.
	sheets    []importSheet
	sheetIDs  names
	codes     names // beneficiary codes: a person is its code's number
	mediators names
	words     vocabulary
	// obstacleLists are the distinct obstacle lists of the file, as words,
	// in the file's order (fileRow.obstacles numbers them).
	obstacleLists [][]uint16
	obstacleIndex map[string]int32
	// mediatorDep is each mediator's département (a word) of its first
	// line. Set by checks.
	mediatorDep []uint16
	// problems are the lines the row source could not read (the first
	// MaxProblems), problemCount counts them all.
	problems     []Problem
	problemCount int
}

// fileRow is one good line. Days are days since 1970-01-01 (dayOf).
type fileRow struct {
	line      int32
	sheet     int32 // its sheet in importFile.sheets
	person    int32 // its code in importFile.codes
	mediator  int32 // in importFile.mediators
	day       int32
	followUp  int32 // noFollowUp when none
	age       int32 // noAge when none
	obstacles int32 // in importFile.obstacleLists
	// Words (importFile.words); 0 is "".
	departement, sex, qpv, resources, contactMode, level, socialProtection, kind, typ, status uint16
}

const (
	noAge      = math.MinInt32
	noFollowUp = math.MaxInt32
)

// add appends r: its names and words get their numbers.
func (f *importFile) add(r Row) {
	if f.obstacleIndex == nil {
		f.obstacleIndex = map[string]int32{}
		f.words.id("") // word 0
	}
	c := fileRow{
		line: int32(r.Line), sheet: f.sheetIDs.id(r.SheetID), person: f.codes.id(r.Beneficiary),
		mediator: f.mediators.id(r.Mediator), day: dayOf(r.Date), followUp: noFollowUp, age: noAge,
		departement: f.words.id(r.Departement), sex: f.words.id(r.Sex), qpv: f.words.id(r.QPV),
		resources: f.words.id(r.Resources), contactMode: f.words.id(r.ContactMode), level: f.words.id(r.Level),
		socialProtection: f.words.id(r.SocialProtection), kind: f.words.id(r.RequestKind),
		typ: f.words.id(r.RequestType), status: f.words.id(r.Status),
	}
	if r.FollowUp != nil {
		c.followUp = dayOf(*r.FollowUp)
	}
	if r.Age != nil {
		c.age = int32(*r.Age)
	}
	key := strings.Join(r.Obstacles, "\x00")
	o, ok := f.obstacleIndex[key]
	if !ok {
		o = int32(len(f.obstacleLists))
		list := make([]uint16, len(r.Obstacles))
		for i, s := range r.Obstacles {
			list[i] = f.words.id(s)
		}
		f.obstacleLists = append(f.obstacleLists, list)
		f.obstacleIndex[strings.Clone(key)] = o
	}
	c.obstacles = o
	f.push(c)
}

// rowChunkBits sizes importFile's chunks: 65 536 rows, 3.4 MB.
const rowChunkBits = 16

// at is the i-th good line.
func (f *importFile) at(i int32) *fileRow {
	return &f.chunks[i>>rowChunkBits][i&(1<<rowChunkBits-1)]
}

// push appends a row.
func (f *importFile) push(c fileRow) {
	if f.n&(1<<rowChunkBits-1) == 0 {
		size := 1 << rowChunkBits
		if f.n == 0 {
			size = 1024 // a small file stays small; the first chunk grows
		}
		f.chunks = append(f.chunks, make([]fileRow, 0, size))
	}
	last := len(f.chunks) - 1
	f.chunks[last] = append(f.chunks[last], c)
	f.n++
}

// row is the i-th good line as the row source gave it (for messages and
// tests: the import itself reads f.at).
func (f *importFile) row(i int32) Row {
	c := f.at(i)
	r := Row{
		Line: int(c.line), SheetID: f.sheetIDs.name(c.sheet), Date: dayTime(c.day), Mediator: f.mediators.name(c.mediator),
		Departement: f.words.word(c.departement), Beneficiary: f.codes.name(c.person), Sex: f.words.word(c.sex),
		QPV: f.words.word(c.qpv), Resources: f.words.word(c.resources), ContactMode: f.words.word(c.contactMode),
		Level: f.words.word(c.level), SocialProtection: f.words.word(c.socialProtection),
		Obstacles: f.obstacles(c), RequestKind: f.words.word(c.kind), RequestType: f.words.word(c.typ),
		Status: f.words.word(c.status),
	}
	if c.age != noAge {
		age := int(c.age)
		r.Age = &age
	}
	if c.followUp != noFollowUp {
		d := dayTime(c.followUp)
		r.FollowUp = &d
	}
	return r
}

// obstacles are c's obstacles, as the file gave them.
func (f *importFile) obstacles(c *fileRow) []string {
	list := f.obstacleLists[c.obstacles]
	if len(list) == 0 {
		return nil
	}
	out := make([]string, len(list))
	for i, w := range list {
		out[i] = f.words.word(w)
	}
	return out
}

// dayTime is day d at midnight UTC.
func dayTime(d int32) time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// importSheet is one sheet of the file. Once the checks have passed, its
// first line stands for all of its lines (they agree outside the request).
type importSheet struct {
	first    int32 // the row of its first line (see importFile.rows)
	lastLine int32 // the file line of its last line
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
	day        int32 // days since 1970-01-01 (see dayOf)
}

// names numbers distinct strings from 0 in order of first sight, kept in
// one byte arena with an open-addressing index of int32: a million sheet
// ids or codes take a few bytes each beyond their text, and nothing the
// collector has to scan.
type names struct {
	text  []byte
	ends  []uint32 // ends[i] is where name i ends in text
	slots []int32  // name+1 by hash, 0 when free
	seed  maphash.Seed
}

func (n *names) len() int32 { return int32(len(n.ends)) }

func (n *names) bytesOf(i int32) []byte {
	start := uint32(0)
	if i > 0 {
		start = n.ends[i-1]
	}
	return n.text[start:n.ends[i]]
}

// all is every name, in order.
func (n *names) all() []string {
	out := make([]string, n.len())
	for i := range out {
		out[i] = n.name(int32(i))
	}
	return out
}

// name is name i (a new string).
func (n *names) name(i int32) string { return string(n.bytesOf(i)) }

// find returns s's number, or -1.
func (n *names) find(s string) int32 {
	if len(n.slots) == 0 {
		return -1
	}
	mask := uint64(len(n.slots) - 1)
	for h := maphash.String(n.seed, s) & mask; ; h = (h + 1) & mask {
		i := n.slots[h] - 1
		if i < 0 {
			return -1
		}
		if string(n.bytesOf(i)) == s {
			return i
		}
	}
}

// id returns s's number, numbering it if new.
func (n *names) id(s string) int32 {
	if len(n.ends)*2 >= len(n.slots) {
		n.grow()
	}
	mask := uint64(len(n.slots) - 1)
	h := maphash.String(n.seed, s) & mask
	for ; ; h = (h + 1) & mask {
		i := n.slots[h] - 1
		if i < 0 {
			break
		}
		if string(n.bytesOf(i)) == s {
			return i
		}
	}
	n.text = append(n.text, s...)
	n.ends = append(n.ends, uint32(len(n.text)))
	i := int32(len(n.ends) - 1)
	n.slots[h] = i + 1
	return i
}

func (n *names) grow() {
	if len(n.slots) == 0 {
		n.seed = maphash.MakeSeed()
	}
	n.slots = make([]int32, max(64, 2*len(n.slots)))
	mask := uint64(len(n.slots) - 1)
	for i := range int32(len(n.ends)) {
		h := maphash.Bytes(n.seed, n.bytesOf(i)) & mask
		for n.slots[h] != 0 {
			h = (h + 1) & mask
		}
		n.slots[h] = i + 1
	}
}

// vocabulary numbers the few distinct codes of a file (sex, QPV, resources,
// request types…): a line keeps a small integer per code.
type vocabulary struct {
	index map[string]uint16
	words []string
	full  bool // more than 65 536 codes were given: the file is refused
}

func (v *vocabulary) id(s string) uint16 {
	if i, ok := v.index[s]; ok {
		return i
	}
	if v.index == nil {
		v.index = map[string]uint16{}
	}
	if len(v.words) > math.MaxUint16 { // checked codes are a few dozen
		v.full = true
		return 0
	}
	i := uint16(len(v.words))
	s = strings.Clone(s)
	v.index[s], v.words = i, append(v.words, s)
	return i
}

// find returns s's number, or false when the file has no s.
func (v *vocabulary) find(s string) (uint16, bool) {
	i, ok := v.index[s]
	return i, ok
}

func (v *vocabulary) word(i uint16) string { return v.words[i] }
