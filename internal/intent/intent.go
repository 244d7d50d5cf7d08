// Package intent reads what someone types outside a form, as they type it
// on a phone (typos, no accents, no apostrophes, with or without a slash):
// a greeting, a thank-you, the name of something Relais does (« nouvelle
// fiche », « mes suivis », « rapport annuel 2024 »), a question about the
// figures, or none of these. It is a pure function of the text and the
// role: what the bot then does, and whether the role may, is the bot's.
package intent

import (
	"strings"
	"unicode"

	"github.com/relais-sante/relais/internal/frtext"
	"github.com/relais-sante/relais/internal/roles"
)

// Kind is what a typed text is.
type Kind int

const (
	// None: neither a greeting, nor an intent, nor a question; the bot
	// says so and offers the menu.
	None Kind = iota
	// Greeting: « bonjour », « salut », « coucou »…
	Greeting
	// Thanks: « merci », « super merci »…
	Thanks
	// Command: the text names something a command does (Command, Arg).
	Command
	// Question: the text looks like a question about the figures.
	Question
)

// Intent is what Read found.
type Intent struct {
	Kind Kind
	// Command is the slash command the text stands for ("/fiche"), with
	// its argument (the year of « rapport annuel 2024 »).
	Command string
	Arg     string
}

// maxWords bounds an intent: a long sentence is not a menu entry.
const maxWords = 10

// entry is one command and the ways of naming it: each core is a set of
// words that must all be there; every other word must be a filler (its
// own or the common ones).
type entry struct {
	command string
	cores   [][]string
	fillers []string
	year    bool // a four-digit year is its argument
	roles   func(role roles.Role) bool
}

func forMediators(role roles.Role) bool { return role == roles.Mediator }
func forOthers(role roles.Role) bool    { return role != roles.Mediator }

// entries: the first of equally good matches wins, so the more specific
// cores (more words) come first where it matters.
var entries = []entry{
	{command: "/mesfiches", cores: [][]string{{"mes", "fiches"}, {"mesfiches"}, {"dernieres", "fiches"}, {"liste", "fiches"}}},
	{command: "/fiche", cores: [][]string{{"nouvelle", "fiche"}, {"fiche"}, {"accompagnement"}},
		fillers: []string{"accompagnement", "visite", "personne", "rdv", "rendez", "nouvel", "apres"}},
	{command: "/action", cores: [][]string{{"action", "collective"}, {"action"}, {"atelier"}},
		fillers: []string{"collective", "prevention", "atelier", "sensibilisation"}},
	{command: "/suivis", cores: [][]string{{"mes", "suivis"}, {"suivis"}, {"demandes", "cours"}},
		fillers: []string{"demandes", "cours", "relances", "suivre"}}, // « en retard ? » is a question (internal/question)
	{command: "/rappels", cores: [][]string{{"rappels"}, {"heure", "rappel"}}, fillers: []string{"heure", "quotidien", "changer", "regler"}},
	{command: "/partenaires", cores: [][]string{{"partenaires"}}},
	{command: "/meschiffres", cores: [][]string{{"mes", "chiffres"}, {"meschiffres"}, {"chiffres"}, {"stats"}, {"statistiques"}},
		roles: forMediators},
	{command: "/indicateurs", cores: [][]string{{"indicateurs"}, {"mes", "chiffres"}, {"chiffres"}, {"stats"}, {"statistiques"}},
		fillers: []string{"territoire"}, roles: forOthers},
	{command: "/indicateurs", cores: [][]string{{"indicateurs"}}, fillers: []string{"territoire"}},
	{command: "/export", cores: [][]string{{"exporter"}, {"export"}, {"excel"}, {"exportation"}},
		fillers: []string{"fichier", "tableau", "tableur", "chiffres", "donnees", "excel", "en"}},
	{command: "/activite", cores: [][]string{{"activite"}}, fillers: []string{"structures", "mediateurs", "par"}},
	{command: "/rapport", cores: [][]string{{"rapport", "annuel"}, {"rapport"}}, fillers: []string{"annuel", "region", "regional", "word", "pdf"}, year: true},
	{command: "/bilan", cores: [][]string{{"bilan", "annuel"}, {"bilan"}}, fillers: []string{"annuel"}},
	{command: "/equipe", cores: [][]string{{"equipe"}}},
	{command: "/inviter", cores: [][]string{{"inviter"}, {"invitation"}},
		fillers: []string{"mediateur", "mediatrice", "coordinateur", "coordinatrice", "quelqu", "quelquun", "personne", "collegue", "nouveau", "nouvelle"}},
	{command: "/aide", cores: [][]string{{"aide"}, {"help"}, {"menu"}, {"commandes"}, {"aider"}},
		fillers: []string{"besoin", "comment", "marche", "fonctionne", "peux", "faire", "quoi", "aidez"}},
}

// common fillers: words around any intent (« je veux faire une nouvelle
// fiche svp », « jveux mes suivis »), dropped apostrophes included.
var common = words("je j jveux veux voudrais voudrai jvoudrais aimerais jaimerais souhaite souhaiterais " +
	"faire fair remplir saisir creer commencer ouvrir voir afficher montrer avoir obtenir consulter donner donne donnez " +
	"moi me m svp stp please sil vous plait plais une un la le les l des de du d mes ma mon ta tes nouvelle nouveau new autre " +
	"encore alors bon pour est ce c cest que quoi peux pouvez puis jpeux on faut dois jdois jai ai jen en sur bien " +
	"maintenant voudrait il y a e et ok merci " +
	"bonjour salut hello coucou bonsoir re bjr slt cc hey")

// greetings and thanks, and the words that may come with them.
var (
	greetingWords = words("bonjour bonjours bjr bonjoir salut slt bonsoir bsr coucou cc hello hi hey yo re hola allo wesh")
	thanksWords   = words("merci mercii mrc thanks thx remercie")
	politeWords   = words("ca va comment tout le monde relais a vous toi bonne journee soiree matinee beaucoup bcp mille fois " +
		"super parfait top genial gentil et madame monsieur je j jai vous tres bien ok cest c est bon daccord")
)

// questionWords make a text look like a question about the figures.
var questionWords = words("combien nombre nb total totaux taux pourcentage pourcent moyenne proportion part repartition " +
	"chiffre fiches personnes beneficiaires demandes accompagnements accompagnes accompagnees actions femmes hommes " +
	"qpv age ages mois annee annees semaine trimestre semestre janvier fevrier mars avril mai juin juillet aout " +
	"septembre octobre novembre decembre departement departements structure structures region nord pas calais aisne oise somme " +
	"retard resolues resolue orientes orientees quel quelle quels quelles")

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Read says what text is for someone of role.
func Read(text string, role roles.Role) Intent {
	toks := Tokens(text)
	if len(toks) == 0 {
		return Intent{Kind: None}
	}
	if k, ok := greeting(toks); ok {
		return Intent{Kind: k}
	}
	if len(toks) <= maxWords {
		if in, ok := command(toks, role); ok {
			return in
		}
	}
	if strings.Contains(text, "?") {
		return Intent{Kind: Question}
	}
	for _, t := range toks {
		if inSet(t, questionWords) || isYear(t) {
			return Intent{Kind: Question}
		}
	}
	return Intent{Kind: None}
}

// greeting: every word a greeting, a thank-you or a polite word, at least
// one greeting or thank-you.
func greeting(toks []string) (Kind, bool) {
	hello, thanks := false, false
	for _, t := range toks {
		switch {
		case inSet(t, thanksWords):
			thanks = true
		case inSet(t, greetingWords):
			hello = true
		case inSet(t, politeWords):
		default:
			return None, false
		}
	}
	switch {
	case thanks:
		return Thanks, true
	case hello:
		return Greeting, true
	}
	return None, false
}

// command finds the entry whose core is there with the most words, every
// other word being a filler.
func command(toks []string, role roles.Role) (Intent, bool) {
	best, bestLen := Intent{}, 0
	for _, e := range entries {
		if e.roles != nil && !e.roles(role) {
			continue
		}
		own := words(strings.Join(e.fillers, " "))
		for _, core := range e.cores {
			if len(core) <= bestLen {
				continue
			}
			arg, ok := matches(toks, core, own, e.year)
			if !ok {
				continue
			}
			best, bestLen = Intent{Kind: Command, Command: e.command, Arg: arg}, len(core)
		}
	}
	return best, bestLen > 0
}

// matches tells whether toks are core (each word once, in any order) and
// fillers, and returns the year when the entry takes one.
func matches(toks, core []string, own map[string]bool, year bool) (string, bool) {
	used := make([]bool, len(toks))
	for _, w := range core {
		found := false
		for i, t := range toks {
			if !used[i] && near(t, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return "", false
		}
	}
	arg := ""
	for i, t := range toks {
		switch {
		case used[i]:
		case year && arg == "" && isYear(t):
			arg = t
		case inSet(t, own) || inSet(t, common):
		default:
			return "", false
		}
	}
	return arg, true
}

func isYear(t string) bool {
	if len(t) != 4 {
		return false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	return t[0] == '1' || t[0] == '2'
}

// inSet: t is a word of set, or one typo away from one (words of four
// letters or more), or a dropped apostrophe's letter glued to one
// (« daide », « lexport »).
func inSet(t string, set map[string]bool) bool {
	if set[t] {
		return true
	}
	for w := range set {
		if near(t, w) {
			return true
		}
	}
	return false
}

// near: equal; for words of four letters or more, one typo away (a
// letter wrong, missing, added, or two neighbours swapped); from eight
// letters, two; or the word behind an elided d', l', j', qu' written
// without its apostrophe (« daide », « lexport »).
func near(typed, word string) bool {
	if typed == word {
		return true
	}
	if len(word) >= 4 {
		limit := 1
		if len(word) >= 8 {
			limit = 2
		}
		if abs(len(typed)-len(word)) <= limit && frtext.Distance(typed, word) <= limit {
			return true
		}
	}
	for _, e := range []string{"d", "l", "j", "qu", "s", "m", "n", "c"} {
		if rest, ok := strings.CutPrefix(typed, e); ok && len(word) >= 4 && rest == word {
			return true
		}
	}
	return false
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

var folder = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a", "ô", "o", "ö", "o",
	"î", "i", "ï", "i", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe", "æ", "ae",
	// An apostrophe glues its words, as phones drop it: « j'ai » and « jai » meet.
	"'", "", "’", "", "`", "")

// Tokens folds text into lowercase words without accents, apostrophes or
// punctuation: « J'veux une NOUVELLE fiche ! » → [jveux une nouvelle fiche].
func Tokens(text string) []string {
	s := folder.Replace(strings.ToLower(text))
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
