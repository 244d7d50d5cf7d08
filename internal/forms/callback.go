package forms

import (
	"strconv"
	"strings"
)

// The callback data of every button the dialog engine builds lives here, so
// that loading a form can check that none exceeds Telegram's limit.
const (
	// DataPrefix starts the callback data of every engine button; the bot
	// routes presses with this prefix to the engine.
	DataPrefix = "d:"
	// MaxDataBytes is Telegram's limit on callback data.
	MaxDataBytes = 64
	// MaxPersonCode is the longest beneficiary code the engine puts in a button.
	MaxPersonCode = 8
	// MaxRecordID is the longest record id (decimal digits of an int64) the
	// engine puts in a button.
	MaxRecordID = 19
)

// Button actions (the letter after "d:").
const (
	ActChoose    = "c" // c:<step>:<code>   choice / yesno answer
	ActToggle    = "t" // t:<step>:<code>   multi: toggle one choice
	ActValidate  = "v" // v:<step>          multi: validate the selection
	ActQuickDate = "q" // q:<step>:<token>  date: quick button
	ActSkip      = "s" // s:<step>          skip an optional step
	ActNewPerson = "n" // n:<step>          beneficiary: new person
	ActOldPerson = "o" // o:<step>          beneficiary: person already followed
	ActPick      = "p" // p:<step>:<code>   beneficiary: one of the recent people
	ActConfirm   = "k" // k:<step>          prefilled value: confirm
	ActModify    = "m" // m:<step>          prefilled value: answer again
	ActMore      = "a" // a:<group>:1|0     group: add another item?
	ActEdit      = "e" // e:<step> or e:<group>:<i>  summary: edit a step / item
	ActRemove    = "r" // r:<group>:<i>     summary: remove item i
	ActAddItem   = "i" // i:<group>         summary: add an item
	ActSave      = "w" // w                 summary: save
	ActCancel    = "x" // x:1|0             confirm / refuse cancelling
	ActClose     = "u" // u:<step>:<request id>:<status>  known person: new status of a request still open
)

// Data builds the callback data of an engine button.
func Data(act string, args ...string) string {
	var b strings.Builder
	b.WriteString(DataPrefix)
	b.WriteString(act)
	for _, a := range args {
		b.WriteByte(':')
		b.WriteString(a)
	}
	return b.String()
}

// ParseData splits engine callback data into its action and arguments.
func ParseData(data string) (act string, args []string, ok bool) {
	if !strings.HasPrefix(data, DataPrefix) {
		return "", nil, false
	}
	parts := strings.Split(data[len(DataPrefix):], ":")
	if parts[0] == "" {
		return "", nil, false
	}
	return parts[0], parts[1:], true
}

// ButtonData lists the callback data of every button the engine can show for
// step s of f (the summary buttons included), for the length check.
func (f *Form) ButtonData(s *Step) []string {
	var out []string
	add := func(act string, args ...string) { out = append(out, Data(act, args...)) }
	if !s.Required || (f.Parent(s.ID) != nil && !f.Parent(s.ID).Required) {
		add(ActSkip, s.ID)
		add(ActSkip, s.ID, "fin")
	}
	if s.Prefill != "" {
		add(ActConfirm, s.ID)
		add(ActModify, s.ID)
		add(ActClose, s.ID, strings.Repeat("9", MaxRecordID), "non_resolue")
	}
	switch s.Type {
	case TypeChoice, TypeYesNo:
		for _, c := range s.Choices {
			add(ActChoose, s.ID, c.Code)
		}
	case TypeMulti:
		for _, c := range s.Choices {
			add(ActToggle, s.ID, c.Code)
		}
		add(ActValidate, s.ID)
	case TypeDate:
		for _, q := range s.Quick {
			add(ActQuickDate, s.ID, q)
		}
	case TypeBeneficiary:
		add(ActNewPerson, s.ID)
		add(ActOldPerson, s.ID)
		add(ActPick, s.ID, strings.Repeat("X", MaxPersonCode))
	case TypeRecord:
		add(ActChoose, s.ID, OtherCode)
		add(ActChoose, s.ID, strings.Repeat("9", MaxRecordID))
	case TypeGroup:
		add(ActMore, s.ID, "1")
		add(ActMore, s.ID, "0")
		last := strconv.Itoa(s.MaxItems - 1)
		add(ActEdit, s.ID, last)
		add(ActRemove, s.ID, last)
		add(ActAddItem, s.ID)
	}
	if f.Parent(s.ID) == nil && s.Type != TypeGroup {
		add(ActEdit, s.ID)
	}
	return out
}
