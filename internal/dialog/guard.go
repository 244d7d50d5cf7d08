package dialog

import (
	"bufio"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/identify"
)

// The guard of free-text answers: a note, a review answer, a partner's
// name must not let anyone recognise a person. It reads a normalised copy
// of the text (the text kept is the one typed), so that full-width digits,
// zero-width characters or Cyrillic look-alikes do not hide a detail, and
// weighs two kinds of error: a miss lets a detail into the database, a
// false refusal makes a mediator rewrite a harmless note. Both are
// measured by TestGuardRefusesIdentifyingDetailsAndPassesHarmlessNotes.

var forbidText = map[string]string{
	"phone":   "Pas de numéro de téléphone",
	"email":   "Pas d'adresse e-mail",
	"name":    "Pas de nom (« Mme Dupont ») : écrivez « la personne » ou « Mme X »",
	"nir":     "Pas de numéro de sécurité sociale",
	"birth":   "Pas de date de naissance : l'âge suffit",
	"address": "Pas d'adresse postale : le quartier suffit",
}

// guardOrder is the order the kinds are told in when a text has several:
// a social security number also holds ten digits that read as a phone
// number, so it is named first.
var guardOrder = []string{"nir", "phone", "email", "birth", "address", "name"}

// identifying tells which forbidden kind of s text contains, if any.
func identifying(text string, s *forms.Step) (string, bool) {
	if len(s.Forbid) == 0 {
		return "", false
	}
	t := identify.Normalize(text)
	for _, kind := range guardOrder {
		if !slices.Contains(s.Forbid, kind) {
			continue
		}
		var hit bool
		switch kind {
		case "nir":
			hit = identify.HasNIR(t)
		case "phone":
			hit = identify.HasPhone(t)
		case "email":
			hit = identify.HasEmail(t)
		case "birth":
			hit = identify.HasBirthDate(t)
		case "address":
			hit = hasAddress(t)
		case "name":
			hit = namesSomeone(t)
		}
		if hit {
			return kind, true
		}
	}
	return "", false
}

// everyKind is a step forbidding every kind the guard knows.
var everyKind = &forms.Step{Forbid: guardOrder}

// Identifying tells whether text holds any detail the note guard refuses
// (a number, an e-mail, a birth date, an address, a name) and, if so, the
// French rule it breaks (« Pas de numéro de téléphone »). It is for text
// read outside a form, such as an edited message, which could be any
// answer.
func Identifying(text string) (rule string, ok bool) {
	kind, ok := identifying(text, everyKind)
	return forbidText[kind], ok
}

// checkText refuses what identifies a person (a note must not let anyone
// recognise them), then applies the length limit.
func checkText(text string, s *forms.Step) (msg string, identifies bool) {
	if f, ok := identifying(text, s); ok {
		return forbidText[f] + " : rien qui permette de reconnaître la personne. Rien n'a été enregistré ; réécrivez le texte sans ce détail.", true
	}
	if n := len([]rune(text)); n > s.MaxLength {
		return fmt.Sprintf("Texte trop long : %d caractères, %d au plus.", n, s.MaxLength), false
	}
	return "", false
}

// ---- street addresses

const streetNumber = `(?:^|[^\p{L}\d,.])\d{1,4}\s*(?i:bis|ter|quater|[abc])?\s*,?\s*`

var (
	// Words that only name a street: a number before them is an address.
	streetRe = regexp.MustCompile(streetNumber + `(?i:rue|avenue|boulevard|bd|bvd|blvd|all[ée]e|impasse|quai|faubourg|fbg|lotissement|chemin|ruelle|sentier|venelle|rond-point)(?:[^\p{L}]|$)`)
	// Words that are also common nouns (« 1 place en crèche », « 2 cours
	// de français »): an address only with a capitalised name after them.
	placeRe = regexp.MustCompile(streetNumber + `(?i:r|place|cours|route|rte|square|r[ée]sidence|r[ée]s|cit[ée]|villa|passage|av|pl|imp|hameau|parvis|esplanade|promenade|voie|mont[ée]e|traverse|lieu-dit|domaine|clos)\.?\s+(?:(?i:de la|de l'|des|du|de|d'|la|le|les|l')\s*)?\p{Lu}\p{Ll}`)
)

func hasAddress(t string) bool { return streetRe.MatchString(t) || placeRe.MatchString(t) }

// ---- names

//go:embed prenoms.txt noms.txt eponymes.txt
var nameLists embed.FS

var (
	firstNames = loadNames("prenoms.txt")
	surnames   = loadNames("noms.txt")
	eponyms    = loadNames("eponymes.txt")
)

// loadNames reads one of the embedded lists: one entry a line, # comments.
func loadNames(file string) map[string]bool {
	f, err := nameLists.Open(file)
	if err != nil {
		panic(fmt.Sprintf("dialog: embedded %s: %v", file, err)) // embedded: cannot happen
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" && !strings.HasPrefix(line, "#") {
			out[nameKey(line)] = true
		}
	}
	if err := sc.Err(); err != nil {
		panic(fmt.Sprintf("dialog: embedded %s: %v", file, err))
	}
	return out
}

// nameKey is a word as the lists compare it: lower case, no accents, no
// apostrophe (« N'Diaye » is « ndiaye »).
func nameKey(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) && r != '\'' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func set(words string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(words) {
		out[w] = true
	}
	return out
}

var (
	civilities  = set("m mr mme mlle madame monsieur mademoiselle mmes mm mrs messieurs mesdames")
	familyWords = set("les famille fam chez epoux epouse")
	// commonWords are names of the lists that are also French words: in
	// lower case they are the word (« madame rose », « monsieur petit »).
	commonWords = set(`rose claire pierre marine ambre jade grace gloire merveille divine bienvenu exauce aime aimee
		desire desiree honore germain modeste victoire constance aurore lilas ravi fiston junior ion duc octave milan
		samba pape sali nana marc clement julien benoit olivier leger petit blanc roux brun roche moulin cousin baron
		barre breton boucher boulanger berger charpentier marchand meunier chevalier lebon lenoir lesage lecoq gay
		noel joly lamy carre perrier millet laine roy rey pons cruz costa dias rocha tudor kara fall tall wade kane
		sane lam sun stan`)
	// notAName are capitalised words that follow a first name or a civility
	// without being a surname: institutions, days, months, places, titles.
	notAName = set(`cpam caf css cmu ame mdph pmi ccas rsa apl ars urssaf ameli pole emploi travail france services
		mairie prefecture hopital centre maison sante secu securite sociale social medecin docteur dr pr pharmacie
		service accueil relais secours populaire croix rouge restos coeur emmaus samu urgences chu ch clinique
		lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet aout
		septembre octobre novembre decembre le la les un une des du de et ou mais donc car il elle ils elles on je tu
		nous vous rdv ok mme mr mlle madame monsieur ase cada ofii siao ehpad aah pch cmp cms cmpp csapa pass
		bilan dossier rappel rendez-vous courrier attestation carte vitale complementaire solidaire aide sociale
		x xx xxx y z nationale national regional departemental municipal public publique est a avec pour chez
		sans dans sur sous vers par au aux ce cette son sa ses leur mon ma voir vu vue appeler rappeler rappelle
		saint sainte st ste ne n se s me m lui y en qui que dont va vient doit veut souhaite demande attend
		cherche habite vit travaille part fait dit sait peut etait sera aura avait pourra devra ira reste reste
		est-elle est-il aimerait voudrait prefere refuse accepte signale explique indique precise declare
		arrive revient repart rentre sort passe appelle rappellera viendra enceinte seule seul agee age
		malade isolee isole veuve veuf mariee divorcee separee accompagnee accompagne urgent important
		attention info infos note nb sdf ald puma rqth`)
	// placeWords before a first name and a surname make them the name of a
	// place: « hôpital Robert Debré », « rue Victor Hugo ».
	placeWords = set(`hopital hopitaux hosto chu ch chr chi gh clinique centre cms cmp cmpp csapa caarud pmi maison
		ecole college lycee rue avenue av bd boulevard place allee impasse quai square cours route chemin residence
		cite quartier foyer creche gymnase stade metro station gare arret tram bus parc espace salle mediatheque
		bibliotheque universite fac institut fondation association asso pharmacie cabinet service pole mairie
		annexe antenne pont porte villa groupe hospitalier site campus ehpad cimetiere eglise mosquee temple
		marche pavillon batiment unite rond-point saint sainte st ste dr docteur pr professeur`)
)

// word is a token of a text: letters with inner hyphens and apostrophes.
type word struct {
	text, key string
	joined    bool // only spaces between it and the word before
	dotted    bool // a dot (« M. ») and spaces between it and the word before
}

func words(t string) []word {
	var out []word
	rs := []rune(t)
	gapStart := 0
	for i := 0; i < len(rs); {
		if !unicode.IsLetter(rs[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(rs) && (unicode.IsLetter(rs[j]) || (rs[j] == '-' || rs[j] == '\'') && j+1 < len(rs) && unicode.IsLetter(rs[j+1])) {
			j++
		}
		gap := string(rs[gapStart:i])
		w := string(rs[i:j])
		// An elided article or pronoun is not part of the word: l'hôpital, n'a.
		if k := strings.IndexByte(w, '\''); k > 0 && k <= 2 && unicode.IsLower(rs[i]) {
			w = w[k+1:]
		}
		out = append(out, word{text: w, key: nameKey(w),
			joined: len(out) > 0 && gap != "" && strings.Trim(gap, " ") == "",
			dotted: len(out) > 0 && strings.Trim(gap, " ") == "."})
		gapStart, i = j, j
	}
	return out
}

func isTitle(w string) bool {
	rs := []rune(w)
	return len(rs) >= 2 && unicode.IsUpper(rs[0]) && slices.ContainsFunc(rs[1:], unicode.IsLower)
}

func isCaps(w string) bool {
	rs := []rune(w)
	return len(rs) >= 2 && !slices.ContainsFunc(rs, unicode.IsLower)
}

// vowels counts a word's vowels: « DIALLO » has three, an acronym such as
// « CPAM » or « MDPH » one or none.
func vowels(key string) int {
	n := 0
	for _, r := range key {
		if strings.ContainsRune("aeiouy", r) {
			n++
		}
	}
	return n
}

// known tells whether w is in list and, in lower case, not a common word.
func known(list map[string]bool, w word) bool {
	if !list[w.key] && !(strings.Contains(w.key, "-") && allFirstNames(w.key)) {
		return false
	}
	return len([]rune(w.key)) >= 3 && !commonWords[w.key]
}

// allFirstNames: « jean-pierre », « mohamed-amine ».
func allFirstNames(key string) bool {
	for p := range strings.SplitSeq(key, "-") {
		if !firstNames[p] {
			return false
		}
	}
	return true
}

func isFirstName(w word) bool {
	return firstNames[w.key] || strings.Contains(w.key, "-") && allFirstNames(w.key)
}

// surnameLike: a capitalised word that can be a surname after a first name:
// « Diallo », « TRAORE », not « CPAM » nor « Lundi ».
func surnameLike(w word, caseBlind bool) bool {
	if notAName[w.key] || len([]rune(w.key)) < 2 {
		return false
	}
	if caseBlind {
		return known(surnames, w) || known(firstNames, w)
	}
	if isTitle(w.text) {
		return true
	}
	return isCaps(w.text) && (surnames[w.key] || vowels(w.key) >= 2)
}

// namesSomeone finds a person's name: a civility then a name (« Mme
// Dupont », « madame dupont »; « Mme X », « M. le maire » pass), a known
// first name and a surname (« Fatou Diallo », « DIALLO Fatou », « fatou
// diallo »), or a word and a known surname (« Kadiatou Diallo »).
func namesSomeone(t string) bool {
	ws := words(t)
	// A text all in capitals says nothing by its capitals: only the lists count.
	caseBlind := !strings.ContainsFunc(t, unicode.IsLower)
	for i := 1; i < len(ws); i++ {
		a, b := ws[i-1], ws[i]
		if civilities[a.key] && (b.joined || b.dotted) {
			if civilityName(a, b, caseBlind) {
				return true
			}
			// « Mme Y. Benali »: an initial, then the surname.
			if len([]rune(b.key)) == 1 && i+1 < len(ws) && (ws[i+1].joined || ws[i+1].dotted) && civilityName(a, ws[i+1], caseBlind) {
				return true
			}
		}
		// « les Diallo », « famille Keita », « chez Benali ».
		if familyWords[a.key] && b.joined && known(surnames, b) {
			return true
		}
		if !b.joined || atPlace(ws, i-1) || eponyms[a.key+" "+b.key] {
			continue
		}
		capA := caseBlind || isTitle(a.text) || isCaps(a.text)
		capB := caseBlind || isTitle(b.text) || isCaps(b.text)
		switch {
		case isFirstName(a) && capA && capB && !commonWordAlone(a, caseBlind) && surnameLike(b, caseBlind):
			return true // Fatou Diallo, Aminata TRAORE
		case isFirstName(b) && capA && capB && !commonWordAlone(b, caseBlind) && !notAName[a.key] &&
			(known(surnames, a) || !caseBlind && isCaps(a.text) && vowels(a.key) >= 2):
			return true // DIALLO Fatou
		case (!capA || !capB) && known(firstNames, a) && known(surnames, b):
			return true // fatou diallo, fatou Diallo, Fatou diallo
		case isTitle(a.text) && capB && len([]rune(a.key)) >= 3 && !notAName[a.key] && !notAName[b.key] && known(surnames, b):
			return true // Kadiatou Diallo
		}
	}
	return false
}

// commonWordAlone: in a text without case, a first name that is also a
// word (« CLAIRE », « ROSE ») is read as the word.
func commonWordAlone(w word, caseBlind bool) bool { return caseBlind && commonWords[w.key] }

// civilityName tells whether b, after civility a, is a name: a capitalised
// word of two letters or more that is not a title or an institution, or
// in lower case a name of the lists (« madame dupont »; « madame
// souhaite » is not one).
func civilityName(a, b word, caseBlind bool) bool {
	if len([]rune(b.key)) < 2 || notAName[b.key] || a.key == "m" && !b.dotted && !isTitle(b.text) && !isCaps(b.text) {
		return false
	}
	if !caseBlind && (isTitle(b.text) || isCaps(b.text) && vowels(b.key) > 0) {
		return true // « Mme Dupont », « M. DIOP »; « Monsieur SDF » is no name
	}
	return known(surnames, b) || known(firstNames, b)
}

// atPlace tells whether the word at i follows a word that makes a name a
// place's (« hôpital Robert Debré », « rue Victor Hugo »), within three words.
func atPlace(ws []word, i int) bool {
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if placeWords[ws[k].key] {
			return true
		}
	}
	return false
}
