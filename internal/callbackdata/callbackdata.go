// Package callbackdata is the data carried by the buttons Relais puts
// under its messages: one typed encoder and one decoder per kind of button,
// so the code that draws a button (the bot, the reminders, the follow-up
// lines) and the code that handles its press agree by construction.
//
// The strings are a wire format: buttons sent months ago are still pressed,
// so an encoding never changes. Data is "<prefix>:<field>:…"; a router
// picks the handler by the prefix and the number of fields, and a decoder
// reads the fields after the prefix. Decoders never panic and refuse what
// they did not encode (a client may send any data).
package callbackdata

import (
	"strconv"
	"strings"
	"time"
)

// MaxBytes is Telegram's limit on callback data.
const MaxBytes = 64

// Prefixes of the buttons encoded here.
const (
	PrefixDraft        = "b"  // buttons around forms: new, done, resume, drop, edit a saved sheet
	PrefixReview       = "bl" // the annual review reminder
	PrefixFollowUp     = "r"  // a request's status buttons
	PrefixFollowUpPage = "sp" // the ‹ › pages of /suivis
)

func join(prefix string, fields ...string) string {
	return prefix + ":" + strings.Join(fields, ":")
}

// Draft actions: the first field of a "b" button.
const (
	DraftNew    = "new"    // b:new:<form>       start a form
	DraftDone   = "done"   // b:done             nothing more after saving
	DraftResume = "resume" // b:resume:<record>  resume the draft saving that record
	DraftDrop   = "drop"   // b:drop:<record>:<form to start next, or empty>
	DraftEdit   = "edit"   // b:edit:<n>         correct the mediator's sheet n° n
)

// NewForm starts form formID.
func NewForm(formID string) string { return join(PrefixDraft, DraftNew, formID) }

// Done closes the buttons under a saved record.
func Done() string { return join(PrefixDraft, DraftDone) }

// Resume resumes the draft that will save recordID. The data names the
// draft, so a press on an old message never touches a newer draft.
func Resume(recordID string) string { return join(PrefixDraft, DraftResume, recordID) }

// Drop drops the draft that will save recordID, then starts form next
// ("" for none).
func Drop(recordID, next string) string { return join(PrefixDraft, DraftDrop, recordID, next) }

// EditSheet reopens the mediator's own sheet n° number for correction.
func EditSheet(number int64) string {
	return join(PrefixDraft, DraftEdit, strconv.FormatInt(number, 10))
}

// Draft is a decoded "b" button.
type Draft struct {
	Act      string // DraftNew, DraftDone, DraftResume, DraftDrop or DraftEdit
	Form     string // new: the form to start; drop: the form to start next ("" none)
	RecordID string // resume, drop
	Number   int64  // edit
}

// ParseDraft reads the fields of a "b" button.
func ParseDraft(fields []string) (Draft, bool) {
	if len(fields) == 0 {
		return Draft{}, false
	}
	d := Draft{Act: fields[0]}
	switch {
	case d.Act == DraftNew && len(fields) == 2 && fields[1] != "":
		d.Form = fields[1]
	case d.Act == DraftDone && len(fields) == 1:
	case d.Act == DraftResume && len(fields) == 2 && fields[1] != "":
		d.RecordID = fields[1]
	case d.Act == DraftDrop && len(fields) == 3 && fields[1] != "":
		d.RecordID, d.Form = fields[1], fields[2]
	case d.Act == DraftEdit && len(fields) == 2:
		n, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil || n <= 0 {
			return Draft{}, false
		}
		d.Number = n
	default:
		return Draft{}, false
	}
	return d, true
}

// Review opens the annual review of year (the January reminder's button).
func Review(year int) string { return join(PrefixReview, strconv.Itoa(year)) }

// ParseReview reads the fields of a "bl" button: the review's year.
func ParseReview(fields []string) (year int, ok bool) {
	if len(fields) != 1 {
		return 0, false
	}
	year, err := strconv.Atoi(fields[0])
	if err != nil || year < 2000 || year > 9999 {
		return 0, false
	}
	return year, true
}

// Follow-up actions: the second field of an "r" button.
const (
	FollowUpResolved   = "res"
	FollowUpUnresolved = "non"
	FollowUpAbandoned  = "aba"
	FollowUpPostpone   = "rep" // r:<request>:rep:<follow-up date shown, YYYYMMDD or empty>
	FollowUpUndo       = "und" // r:<request>:und:<status undone>
)

// followUpDate is the layout of the follow-up date in a postpone button.
const followUpDate = "20060102"

// FollowUp is a decoded "r" button: an action on one of the mediator's
// requests.
type FollowUp struct {
	Request int64
	Act     string
	// Shown is, for a postponement, the follow-up date the message showed
	// (nil: none), so a second tap is recognised.
	Shown *time.Time
	// Undone is, for an undo, the status it reverts ("" on a button made
	// before undo named its status).
	Undone string
}

// SetStatus records status act (FollowUpResolved, FollowUpUnresolved or
// FollowUpAbandoned) on request.
func SetStatus(request int64, act string) string {
	return join(PrefixFollowUp, strconv.FormatInt(request, 10), act)
}

// Postpone moves request's follow-up date; shown is the date the message
// shows (nil: none).
func Postpone(request int64, shown *time.Time) string {
	date := ""
	if shown != nil {
		date = shown.Format(followUpDate)
	}
	return join(PrefixFollowUp, strconv.FormatInt(request, 10), FollowUpPostpone, date)
}

// Undo reopens request, closed with status from this message.
func Undo(request int64, status string) string {
	return join(PrefixFollowUp, strconv.FormatInt(request, 10), FollowUpUndo, status)
}

// ParseFollowUp reads the fields of an "r" button.
func ParseFollowUp(fields []string) (FollowUp, bool) {
	if len(fields) < 2 || len(fields) > 3 {
		return FollowUp{}, false
	}
	id, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return FollowUp{}, false
	}
	f := FollowUp{Request: id, Act: fields[1]}
	switch f.Act {
	case FollowUpResolved, FollowUpUnresolved, FollowUpAbandoned:
		if len(fields) != 2 {
			return FollowUp{}, false
		}
	case FollowUpPostpone:
		if len(fields) != 3 {
			return FollowUp{}, false
		}
		if fields[2] != "" {
			d, err := time.Parse(followUpDate, fields[2])
			if err != nil {
				return FollowUp{}, false
			}
			f.Shown = &d
		}
	case FollowUpUndo:
		if len(fields) == 3 {
			f.Undone = fields[2]
		}
	default:
		return FollowUp{}, false
	}
	return f, true
}

// FollowUpPage shows page (from 0) of the presser's own open requests: the
// page is read again at the press, so the data names nobody.
func FollowUpPage(page int) string { return join(PrefixFollowUpPage, strconv.Itoa(page)) }

// ParseFollowUpPage reads the fields of an "sp" button.
func ParseFollowUpPage(fields []string) (page int, ok bool) {
	if len(fields) != 1 {
		return 0, false
	}
	page, err := strconv.Atoi(fields[0])
	if err != nil || page < 0 {
		return 0, false
	}
	return page, true
}
