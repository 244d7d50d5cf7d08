// Package orgname holds the one set of rules for the names of organisations
// people type: employing structures (/inviter, relais invite) and partners
// (/partenaires). These names are shown in chats and written into the
// exports and reports opened in spreadsheets, so they must be short, on one
// visible line, and never read as a formula.
package orgname

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/relais-sante/relais/internal/identify"
)

// MaxLen is the longest name, in characters.
const MaxLen = 80

// Check says in French (a whole sentence) which rule name breaks, nil when
// it breaks none: at most MaxLen characters; no control or invisible
// formatting character (a tab, a zero-width space, a right-to-left
// override that disguises the name); no leading =, +, - or @, which a
// spreadsheet runs as a formula (CSV injection); no social security
// number, phone number, e-mail address or birth date: a structure's name
// is shown in every report, and a person's detail typed there would
// reach them all.
func Check(name string) error {
	if n := utf8.RuneCountInString(name); n > MaxLen {
		return Refusal(fmt.Sprintf("Nom trop long : %d caractères, %d au plus.", n, MaxLen))
	}
	if strings.ContainsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) {
		return errInvisible
	}
	if t := strings.TrimLeftFunc(name, unicode.IsSpace); t != "" && strings.ContainsRune("=+-@", rune(t[0])) {
		return errFormula
	}
	t := identify.Normalize(name)
	switch {
	case identify.HasNIR(t): // before the phone: its digits read as one
		return errNIR
	case identify.HasPhone(t):
		return errPhone
	case identify.HasEmail(t):
		return errEmail
	case identify.HasBirthDate(t):
		return errBirth
	}
	return nil
}

// Refusal is a broken rule, as a French sentence shown to the user as is.
type Refusal string

func (r Refusal) Error() string { return string(r) }

const (
	errInvisible Refusal = "Le nom contient un caractère de contrôle ou invisible : écrivez-le en lettres, sur une ligne."
	errFormula   Refusal = "Le nom ne peut pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule)."
	errNIR       Refusal = "Le nom ne peut pas contenir de numéro de sécurité sociale : c'est le nom d'une structure, pas d'une personne."
	errPhone     Refusal = "Le nom ne peut pas contenir de numéro de téléphone : c'est le nom d'une structure, pas d'une personne."
	errEmail     Refusal = "Le nom ne peut pas contenir d'adresse e-mail : c'est le nom d'une structure, pas d'une personne."
	errBirth     Refusal = "Le nom ne peut pas contenir de date de naissance : c'est le nom d'une structure, pas d'une personne."
)
