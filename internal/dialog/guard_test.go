package dialog

import (
	"testing"
)

// identifyingProbes are details that let someone recognise a person, each
// written the ways a mediator (or someone working around the guard) types
// them: every one must be refused, with the reason named.
var identifyingProbes = []struct{ text, kind string }{
	// Phones: French and international forms, any separator.
	{"rappeler au 0612345678", "phone"},
	{"tel 06-12-34-56-78", "phone"},
	{"06/12/34/56/78", "phone"},
	{"06_12_34_56_78", "phone"},
	{"joignable au 06.12.34.56.78 le matin", "phone"},
	{"0033 6 12 34 56 78", "phone"},
	{"+33 6 12 34 56 78", "phone"},
	{"+33612345678", "phone"},
	{"+33 (0)6 12 34 56 78", "phone"},
	{"０６ １２ ３４ ５６ ７８", "phone"},                                                   // full-width digits
	{"06\u200b12\u200b34\u200b56\u200b78", "phone"},                               // zero-width spaces
	{"0\u200d6\u200d1\u200d2\u200d3\u200d4\u200d5\u200d6\u200d7\u200d8", "phone"}, // zero-width joiners
	{"06\u00a012\u00a034\u00a056\u00a078", "phone"},                               // non-breaking spaces
	{"٠٦١٢٣٤٥٦٧٨", "phone"},                                                       // Arabic-Indic digits
	{"fixe 01 43 93 86 86", "phone"},
	{"portable 07 81 23 45 67, répondeur", "phone"},
	{"+221 77 123 45 67 (famille au pays)", "phone"},
	{"00212 6 12 34 56 78", "phone"},
	{"06 1234 5678", "phone"},
	{"(+33) 6 12 34 56 78", "phone"},
	{"+33.6.12.34.56.78", "phone"},
	{"tel0612345678", "phone"},
	{"O6 12 34 56 78", "phone"}, // a letter O for the zero
	{"06·12·34·56·78", "phone"}, // middle dots
	{"06•12•34•56•78", "phone"}, // bullets
	{"06,12,34,56,78", "phone"},
	{"06:12:34:56:78", "phone"},
	{"06|12|34|56|78", "phone"},
	{"06*12*34*56*78", "phone"},
	{"06 ~ 12 ~ 34 ~ 56 ~ 78", "phone"},
	// Social security numbers: 13 or 15 digits, any separator, Corsica too.
	{"1850578006084", "nir"},
	{"185057800608436", "nir"},
	{"1-85-05-78-006-084-36", "nir"},
	{"1 85 05 78 006 084 36", "nir"},
	{"1·85·05·78·006·084·36", "nir"},
	{"1,85,05,78,006,084,36", "nir"},
	{"2.71.03.59.123.456.78", "nir"},
	{"sécu 2 71 03 2A 123 456 78", "nir"},
	{"NIR １ ８５ ０５ ７８ ００６ ０８４ ３６", "nir"},
	// E-mails.
	{"awa.k@example.fr", "email"},
	{"écrire à awa.k @ gmail.com", "email"},
	{"mail : fatou.diallo arobase gmail.com", "email"},
	{"dupont(at)orange.fr", "email"},
	{"k.nadia＠laposte.net", "email"}, // full-width at sign
	{"nadia.k at free dot fr", "email"},
	{"awa@gmail", "email"},
	// Names: a first name and a surname, a civility and a name in any case.
	{"Fatou Diallo doit rappeler la CPAM", "name"},
	{"RDV avec Karim Mansouri à la CAF", "name"},
	{"DIALLO Fatou, 3 enfants", "name"},
	{"Aminata TRAORE attend sa carte vitale", "name"},
	{"FATOU DIALLO", "name"},
	{"fatou diallo rappelle demain", "name"},
	{"fatou Diallo rappelle demain", "name"}, // mixed case
	{"fatou DIALLO rappelle demain", "name"},
	{"Fatou diallo rappelle demain", "name"},
	{"Jean-Pierre Martin vient jeudi", "name"},
	{"M\u043eussa Kon\u0435 (homoglyphes)", "name"}, // Cyrillic о and е
	{"Mo\u200bussa Koné", "name"},                   // zero-width space inside the first name
	{"madame dupont", "name"},
	{"vue avec madame martin", "name"},
	{"M. DIOP accompagné", "name"},
	{"vue avec monsieur benali", "name"},
	{"Mme Dupont, dossier CSS déposé", "name"},
	{"M. DURAND accompagné à la CPAM", "name"},
	{"mme fatima attend", "name"},
	{"Kadiatou Diallo, 2 enfants", "name"},
	{"Ｆａｔｏｕ Ｄｉａｌｌｏ", "name"}, // full-width letters
	{"Madame Y. Benali", "name"},
	{"les Diallo ont rappelé", "name"},
	// Street addresses.
	{"habite 12 rue Victor Hugo", "address"},
	{"12 bis avenue Jean Jaurès", "address"},
	{"3 bd de la Liberté", "address"},
	{"5 allée des Tilleuls", "address"},
	{"27, chemin des Vignes", "address"},
	{"4 place de la République", "address"},
	{"8 impasse Pasteur", "address"},
	{"14 quai de Valmy", "address"},
	{"2 résidence Les Lilas", "address"},
	{"1 ter route de Lyon", "address"},
	{"15 av. Gambetta", "address"},
	{"7 cours Julien", "address"},
	{"9 square Dunois", "address"},
	{"au 40 boulevard de Belleville", "address"},
	{"12 r. de la Paix", "address"},
	// Birth dates.
	{"née le 03/04/1971", "birth"},
	{"DDN 12/05/1980", "birth"},
	{"date de naissance : 3 avril 1985", "birth"},
	{"né en 1962", "birth"},
	{"12/05/1985", "birth"},
	{"1971-04-03", "birth"},
	{"née le 12 mars 2015 à Dakar", "birth"},
	{"naissance 14.07.1990", "birth"},
}

// harmlessNotes are realistic mediator notes: dates, times, amounts,
// institutions, counts, short dossier numbers, a civility used as a
// pronoun. None names anyone: every one must pass.
var harmlessNotes = []string{
	"rappeler la CPAM jeudi, dossier CSS incomplet",
	"RDV le 12/03 à 14h",
	"a besoin d'un médecin traitant",
	"3 enfants",
	"attestation CSS reçue le 15/01/2026",
	"Mme X attend la réponse de la CSS",
	"accompagnée par M. le maire adjoint",
	"RDV le 12/12/2026 à 10 h, 2 enfants",
	"orientée vers la PMI, 3 démarches",
	"Madame souhaite changer de médecin traitant",
	"Monsieur doit renvoyer le formulaire à la CAF avant le 30/11",
	"madame est venue avec ses 2 enfants",
	"monsieur a perdu sa carte vitale",
	"dossier MDPH n° 45872 en attente",
	"reste à charge 35,50 € pour les lunettes",
	"loyer 450 €, APL 230 €, RSA 607,75 € par mois",
	"RDV CPAM le 05/01/2026 à 9h30, guichet 3",
	"appeler le 3646 avec elle",
	"numéro vert 0 800 130 000 donné",
	"inscrite à France Travail depuis 2 mois",
	"orientée vers la Maison France Services, 2e étage",
	"urgences de l'hôpital Robert Debré le 14/02",
	"consultation à Louis Mourier le 14/02 à 8h45",
	"suivi au centre social Louise Michel",
	"collège Jean Jaurès : bilan infirmier",
	"1 place en crèche demandée",
	"inscrite à 2 cours de français",
	"ne peut pas se déplacer, 3 étages sans ascenseur",
	"elle ne viendra pas le 12/03",
	"bébé né il y a 3 mois, suivi PMI",
	"acte de naissance à demander pour les 3 enfants",
	"RDV Ameli Lundi 14h",
	"Grâce à la CAF, dossier APL débloqué",
	"Karim de la CAF a rappelé",
	"CSS accordée du 01/02/2026 au 31/01/2027",
	"2 adultes, 4 enfants, 1 600 € de ressources",
	"taux d'incapacité 50 %, AAH demandée",
	"dossier AME n° 2026-00417",
	"vaccins à jour, prochain rappel en mars 2027",
	"RDV chez le Dr Martin vendredi 10h",
	"colis Restos du Cœur et Secours Populaire, Croix-Rouge le 3/12",
	"mammographie le 20/01 à 8h45, transport bus 38",
	"RDV 06/02/2026 10h30 puis 13/02/2026 11h",
	"solde CAF 1 234,56 € à régulariser",
	"demande n° 123456 déposée le 2/12",
	"entre le 06/12 et le 12/12, 2 rendez-vous",
	"RAPPELER LA CPAM JEUDI, DOSSIER CSS INCOMPLET",
	"Mme X et M. Y, couple avec 2 enfants",
	"Saint-Denis, quartier Franc-Moisin",
	"orientée vers le CMP Jean Wier",
	"ordonnance de 3 mois, 2 boîtes par mois",
	"relance mairie le 10/12, pièce d'identité OK",
	"Madame vit seule avec ses 3 enfants, père au pays",
	"Monsieur Ne parle pas français, besoin d'un interprète",
	"Madame Souhaite un RDV",
	"né prématuré, RDV PMI le 12/03/2026",
	"Marie a appelé pour sa mère",
	"Rendez-vous le 06 12 à 10h",
	"Tension 14/8, glycémie 1,26 g/l",
	"14h30-16h : atelier santé",
	"dates : 10/12, 17/12, 07/01",
	"médecin traitant trouvé : Dr Nguyen",
	"les enfants vont à l'école Jules Ferry",
	"Mme X. a rappelé",
	"Monsieur SDF depuis 2 ans, domiciliation au CCAS",
	"URGENT Karim de la CPAM attend l'attestation",
	"créneaux 9:30, 10:30, 14:00 et 15:30",
	"enfants de 3, 5 et 8 ans, 2 boîtes * 3 mois",
	"RDV 10:30 puis 11:45, 14:00 ; relance le 12/01",
	"Rose martin-pêcheur : atelier nature avec la mairie",
}

// TestGuardRefusesIdentifyingDetailsAndPassesHarmlessNotes measures both
// sides of the note guard: the misses (identifying probes accepted) and
// the false refusals (harmless notes refused).
func TestGuardRefusesIdentifyingDetailsAndPassesHarmlessNotes(t *testing.T) {
	t.Parallel()
	note := fiche(t).Step("note")
	refused := 0
	for _, p := range identifyingProbes {
		got, ok := identifying(p.text, note)
		if ok {
			refused++
		}
		if got != p.kind {
			t.Errorf("miss: identifying(%q) = %q, want %q", p.text, got, p.kind)
		}
	}
	accepted := 0
	for _, n := range harmlessNotes {
		if got, ok := identifying(n, note); ok {
			t.Errorf("false refusal: identifying(%q) = %q", n, got)
			continue
		}
		accepted++
	}
	t.Logf("note guard: %d/%d identifying probes refused, %d/%d harmless notes accepted",
		refused, len(identifyingProbes), accepted, len(harmlessNotes))
	if len(identifyingProbes) < 40 || len(harmlessNotes) < 40 {
		t.Fatalf("the table is too small to measure: %d probes, %d notes (40 each at least)", len(identifyingProbes), len(harmlessNotes))
	}
	if refused != 92 || accepted != 70 {
		t.Errorf("refused %d of 92 probes, accepted %d of 70 harmless notes", refused, accepted)
	}
}
