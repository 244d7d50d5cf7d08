package question

import (
	"strings"
	"testing"

	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/territory"
)

// heldOut are questions written before reading the other tables, as a
// regional coordinator (R), the Somme's coordinator (D) and a mediator (M)
// type them on a phone on 2025-05-20: no accents, SMS words, typos, odd
// orders. after is the chat's last question when the row is a follow-up;
// bd the breakdown the answer must give. want is the first line the bot
// answers: the « Compris » line, or the refusal a careful person would give.
var heldOut = []struct{ who, after, text, want, bd string }{
	// sheets and people, periods
	{"R", "", "cb de fiches ds la somme le mois dernier stp", "Compris : fiches d'accompagnement – Somme – du 01/04/2025 au 30/04/2025 – unité : fiches.", ""},
	{"R", "", "combien de personnes on a accompagne depuis la rentree ??", "Compris : personnes accompagnées (distinctes) – Hauts-de-France – du 01/09/2024 au 20/05/2025 – unité : personnes distinctes.", ""},
	{"R", "", "nb personnes accompagnees en 2025 dans l aisne", "Compris : personnes accompagnées (distinctes) – Aisne – du 01/01/2025 au 31/12/2025 – unité : personnes distinctes.", ""},
	{"R", "", "cest quoi le nb de fiches dans le pas de calais au 1er trimestre 2025", "Compris : fiches d'accompagnement – Pas-de-Calais – du 01/01/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches pdc T1", "Compris : fiches d'accompagnement – Pas-de-Calais – du 01/01/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches entre janvier et mars 2025", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches du 01/02/2025 au 15/03/2025", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/02/2025 au 15/03/2025 – unité : fiches.", ""},

	// requests
	{"R", "", "combien de demandes css ds le 59 en avril", "Compris : demandes « Complémentaire Santé Solidaire » – Nord – du 01/04/2025 au 30/04/2025 – unité : demandes.", ""},
	{"R", "", "combien de c2s dans l oise cette annee", "Compris : demandes « Complémentaire Santé Solidaire » – Oise – du 01/01/2025 au 20/05/2025 – unité : demandes.", ""},
	{"R", "", "nombre de demandes d acces aux droits en picardie au 2nd semestre 2024", "Compris : demandes d'accès aux droits – Picardie (Aisne, Oise, Somme) – du 01/07/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "demandes de soins resolues l annee derniere", "Compris : demandes d'accès aux soins résolues – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "taux de resolution des demandes dans la somme en 2024", "Compris : taux de résolution – demandes – Somme – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %.", ""},
	{"R", "", "tx de resolution droits nord 2024", "Compris : taux de résolution – demandes d'accès aux droits – Nord – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %.", ""},
	{"R", "", "combien de demandes en cour dans le 80", "Compris : demandes en cours – Somme – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes.", ""},
	{"R", "", "combien de rdv pris en mars 2025 ?", "Compris : demandes « Prise de RDV » – Hauts-de-France – du 01/03/2025 au 31/03/2025 – unité : demandes.", ""},
	{"R", "", "demandes medecin traitant dans l oise en 2024", "Compris : demandes « Recherche d'un professionnel de santé » – Oise – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "demandes de depistage en 2024", "Compris : demandes « Dépistage organisé » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},

	// age, sex, QPV
	{"R", "", "age moyen des personne suivies dans l'aisne en 2024", "Compris : âge moyen des personnes – Aisne – du 01/01/2024 au 31/12/2024 – unité : années, moyenne des fiches où l'âge est connu.", ""},
	{"R", "", "age moyen chez les femmes", "Je ne sais pas encore filtrer par sexe : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "part des femmes ds le nord en 2024", "Compris : fiches de femmes – Nord – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "nb de fiches hommes 2024 somme", "Compris : fiches d'hommes – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "combien de persones en qpv dans l oise l an dernier", "Compris : personnes distinctes vivant en QPV – Oise – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes.", ""},
	{"R", "", "fiches hors qpv 2024", "Compris : fiches de personnes ne vivant pas en QPV – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "part qpv pdc s1 2025", "Compris : personnes distinctes vivant en QPV – Pas-de-Calais – du 01/01/2025 au 30/06/2025 – unité : personnes distinctes.", ""},

	// resources, contact modes, levels, protection
	{"R", "", "ressources des personnes dans la somme en 2024", "Compris : ressources principales – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "fiches de gens au rsa en 2024", "Compris : fiches de personnes dont la ressource principale est « RSA » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "fiches sans ressources en 2024", "Compris : fiches de personnes dont la ressource principale est « Aucune ressource » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "part des retraites en 2024", "Compris : fiches de personnes dont la ressource principale est « Pension de retraite » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "modes de contact 2024", "Compris : modes de contact – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "combien de fiches en aller vers ce trimestre", "Compris : fiches dont le mode de contact est « Aller vers » – Hauts-de-France – du 01/04/2025 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "bouche a oreille en 2024 dans le nord", "Compris : fiches dont le mode de contact est « Bouche-à-oreille » – Nord – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "orientations par un partenaire l annee derniere", "Compris : fiches dont le mode de contact est « Orientation par un partenaire » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "niveaux d accompagnement en 2024", "Compris : niveaux d'accompagnement – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "nb fiches niveau informe 2024", "Compris : fiches de niveau « Informé » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "orientes vers la protection sociale en 2024", "Compris : personnes orientées vers les acteurs de la protection sociale – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : personnes distinctes, en moyenne par médiateur actif.", ""},

	// obstacles
	{"R", "", "freins rencontres en 2024", "Compris : fiches citant au moins un frein – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "combien de fiches avec frein mobilite dans l aisne", "Compris : fiches citant le frein « Mobilité » – Aisne – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : fiches.", ""},
	{"R", "", "barriere de la langue en 2024", "Compris : fiches citant le frein « Barrière linguistique » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "somme 2024 frein logement", "Compris : fiches citant le frein « Logement » – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},

	// collective actions, partners, reviews, mediators, posts
	{"R", "", "combein d actions collectives en 2024 ?", "Compris : actions collectives de prévention – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : actions collectives.", ""},
	{"R", "", "actions sur la sante mentale ds le 62 cette annee", "Compris : actions collectives sur le thème « Santé mentale » – Pas-de-Calais – du 01/01/2025 au 20/05/2025 – unité : actions collectives.", ""},
	{"R", "", "actions coanimees en 2024", "Compris : actions collectives « Co-animée » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : actions collectives.", ""},
	{"R", "", "nb de participants aux actions dans l oise en 2024", "Compris : participants aux actions collectives – Oise – du 01/01/2024 au 31/12/2024 – unité : participants déclarés.", ""},
	{"R", "", "combien de partenaires sociaux", "Compris : partenaires du champ social – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : partenaires.", ""},
	{"R", "", "combien de bilans annuels remplis en 2024", "Compris : bilans annuels remplis – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : bilans annuels.", ""},
	{"R", "", "part des mediateurs formes en 2024", "Compris : bilans annuels – Formation suivie – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des bilans annuels, en %.", ""},
	{"R", "", "partenariat cpam bilans 2024", "Compris : bilans annuels – Partenariat avec la CPAM – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des bilans annuels, en %.", ""},
	{"R", "", "combien de mediateurs actifs dans la somme", "Compris : médiateurs actifs – Somme – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : médiateurs actifs.", ""},
	{"R", "", "nb de postes ds l aisne", "Compris : postes de médiateurs enregistrés – Aisne – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : postes.", ""},

	// structures, posts, breakdowns
	{"R", "", "combien de fiches a roubaix en 2024", "Compris : fiches d'accompagnement – CCAS Roubaix (Nord) – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "fiches du centre social lille sud cette semaine", "Compris : fiches d'accompagnement – Centre social Lille Sud (Nord) – du 19/05/2025 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches postes ruraux 2024", "Compris : fiches d'accompagnement – Postes ruraux – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "fiches par departement en 2024", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByDepartement},
	{"R", "", "demandes par type dans le nord en 2024", "Compris : demandes – Nord – du 01/01/2024 au 31/12/2024 – unité : demandes.", ByType},
	{"R", "", "fiches par mois depuis janvier", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2025 au 20/05/2025 – unité : fiches.", ByMonth},

	// filters not applied, units not counted: no figure
	{"R", "", "combien de demandes de css non resolues en 2024", "Je ne sais pas encore filtrer par statut « non résolue » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "combien de demandes abandonnees", "Je ne sais pas encore filtrer par statut « abandonnée » : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "combien de fiches de moins de 25 ans en 2024", "Je ne sais pas encore filtrer par âge (moins de 25 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "nb de personnes de plus de 60 ans dans la somme", "Je ne sais pas encore filtrer par âge (plus de 60 ans) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "combien de personnes au rsa en 2024", "Je ne sais pas encore compter les personnes distinctes par ressource principale : Relais compte les fiches (une personne accompagnée deux fois compte deux fois).", ""},

	// places Relais does not count by
	{"R", "", "fiches a marseille en 2024", "« Marseille » ne fait pas partie des territoires de Relais.", ""},
	{"R", "", "combien de fiches dans le 76", "« le 76 (Seine-Maritime) » ne fait pas partie des territoires de Relais.", ""},
	{"R", "", "fiches a beauvais", "« Beauvais » (Oise) ne fait pas partie des territoires de Relais : Relais ne compte pas par commune.", ""},
	{"R", "", "fiches en normandie", "« Normandie » ne fait pas partie des territoires de Relais.", ""},
	{"R", "", "combien de fiches a trifouilly en 2024", "« trifouilly » : je ne connais pas ce lieu, qui ne fait pas partie des territoires de Relais.", ""},
	{"R", "", "fiches ds le nord et le pas de calais", "Votre question nomme plusieurs territoires : posez-la pour un seul à la fois.", ""},

	// nonsense
	{"R", "", "quelle heure est il", "Je n'ai pas compris quel chiffre vous cherchez.", ""},
	{"R", "", "combien de fiches bleues", "Je n'ai compris qu'une partie de votre question.", ""},

	// follow-ups
	{"R", "combien de demandes css ds le 59 en avril", "et ds le 62 ??", "Compris : demandes « Complémentaire Santé Solidaire » – Pas-de-Calais – du 01/04/2025 au 30/04/2025 – unité : demandes.", ""},
	{"R", "fiches dans la somme en 2024", "et en 2023 ?", "Compris : fiches d'accompagnement – Somme – du 01/01/2023 au 31/12/2023 – unité : fiches.", ""},
	{"R", "taux de resolution des demandes de soins en 2024", "par dept stp", "Compris : taux de résolution – demandes d'accès aux soins – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %.", ByDepartement},
	{"R", "combien de fiches en 2024", "et les femmes ?", "Compris : fiches de femmes – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},

	// the Somme's coordinator
	{"D", "", "combien de fiches chez nous ce mois ci", "Compris : fiches d'accompagnement – Somme – du 01/05/2025 au 20/05/2025 – unité : fiches.", ""},
	{"D", "", "fiches dans le nord en 2024", "Nord ne fait pas partie de votre territoire. Vous pouvez poser vos questions sur : Somme, Postes ruraux – Somme, Postes en QPV – Somme, les structures de ce territoire.", ""},
	{"D", "", "taux resolution css 2024", "Compris : taux de résolution – demandes « Complémentaire Santé Solidaire » – Somme – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %.", ""},
	{"D", "combien de fiches chez nous en 2024", "et le mois dernier", "Compris : fiches d'accompagnement – Somme – du 01/04/2025 au 30/04/2025 – unité : fiches.", ""},

	// a mediator
	{"M", "", "jai fait combien de fiches cette semaine", "Compris : fiches d'accompagnement – vos chiffres – du 19/05/2025 au 20/05/2025 – unité : fiches.", ""},
	{"M", "", "mes suivis en retard svp", "Compris : suivis en retard – vos chiffres – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes.", ""},
	{"M", "", "combien de personnes jai accompagne le mois dernier ??", "Compris : personnes accompagnées (distinctes) – vos chiffres – du 01/04/2025 au 30/04/2025 – unité : personnes distinctes.", ""},
	{"M", "", "combien de fiches ds le nord", "Vous ne pouvez consulter que vos propres chiffres. Posez la question sans nommer de territoire, par exemple « combien de fiches ce mois-ci ? ».", ""},
}

// probes are phrasings found while judging the held-out ones, each the
// case of a general cause fixed then: a verb read as a catalogue word
// (« suivi », « participent »), two things asked and one answered, a
// period word misread, a word typed without its apostrophe.
var probes = []struct{ who, after, text, want, bd string }{
	// a confident wrong figure before
	{"R", "", "combien de mediateurs ont suivi une formation en 2024", "Compris : bilans annuels – Formation suivie – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des bilans annuels, en %.", ""},
	{"R", "", "mediateurs qui participent a des instances en 2024", "Compris : bilans annuels – Participation à des instances partenariales – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des bilans annuels, en %.", ""},
	{"R", "", "combien de droits ouverts en 2024", "Compris : demandes d'accès aux droits résolues – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "fiches jusqu au 31 mars 2025", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "nombre de demandes de droits et de soins en 2024", "Compris : demandes – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ByType},
	{"R", "", "css et rdv en 2024", "Compris : demandes – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ByType},
	{"R", "", "css et frais de specialiste 2024", "Compris : demandes d'accès aux droits – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ByType},
	{"R", "", "css et rdv en cours", "Je ne sais pas encore filtrer par deux types de demandes à la fois : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "participants aux actions sur la nutrition en 2024", "Je ne sais pas encore filtrer par thème : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "actions coanimees sur la nutrition", "Je ne sais pas encore filtrer par thème : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "demandes de css par departement et par mois en 2024", "Je ne sais pas encore filtrer par deux répartitions à la fois (par département et par mois) : je ne donne pas de chiffre, plutôt qu'un chiffre qui ne serait pas celui demandé.", ""},
	{"R", "", "combien de fiches et de personnes en 2024", "Je ne donne qu'un chiffre à la fois : posez une question pour les fiches, une autre pour les personnes distinctes.", ""},
	{"R", "", "fiches et combien de personnes", "Je ne donne qu'un chiffre à la fois : posez une question pour les fiches, une autre pour les personnes distinctes.", ""},
	{"R", "", "demandes de c.s.s en 2024", "Compris : demandes « Complémentaire Santé Solidaire » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "combien de rdv medicaux accompagnes en 2024", "Compris : demandes « Accompagnement aux RDV médicaux » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "combien de mediateurs ont coanime une action pour des pros en 2024", "Compris : médiateurs ayant co-animé une action pour des professionnels – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : médiateurs actifs.", ""},
	{"R", "", "fiches/mediateur en 2024", "Je ne sais pas encore calculer une moyenne par médiateur pour « fiches d'accompagnement » : Relais en donne le total.", ""},
	{"R", "", "part des fiches dans le nord", "Je ne sais pas encore calculer une part pour « fiches d'accompagnement » : Relais en donne le nombre.", ""},
	{"R", "", "demandes en cours d annee", "Compris : demandes – Hauts-de-France – du 01/01/2025 au 20/05/2025 – unité : demandes.", ""},
	{"R", "", "fiches cet ete", "Je n'ai compris qu'une partie de votre question.", ""},
	{"M", "", "combien de demandes et de personnes ce mois", "Je ne donne qu'un chiffre à la fois : posez une question pour les demandes, une autre pour les personnes distinctes.", ""},
	{"R", "", "detail des freins par departement", "Compris : fiches citant au moins un frein – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : fiches.", ByDepartement},

	// a clear question refused before
	{"R", "", "combien de personnes differentes jai suivi depuis janvier", "Compris : personnes accompagnées (distinctes) – Hauts-de-France – du 01/01/2025 au 20/05/2025 – unité : personnes distinctes.", ""},
	{"R", "", "fiches du ccas de roubaix en 2024", "Compris : fiches d'accompagnement – CCAS Roubaix (Nord) – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "", "fiches du centre social abbeville", "Compris : fiches d'accompagnement – Centre social Abbeville (Somme) – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : fiches.", ""},
	{"R", "", "lage moyen dans loise", "Compris : âge moyen des personnes – Oise – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : années, moyenne des fiches où l'âge est connu.", ""},
	{"R", "", "nombre dactions sur lalimentation en 2024", "Compris : actions collectives sur le thème « Nutrition » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : actions collectives.", ""},
	{"R", "", "combien de postes ruraux", "Compris : postes de médiateurs enregistrés – Postes ruraux – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : postes.", ""},
	{"R", "", "fiches avec au moins un frein en 2024", "Compris : fiches citant au moins un frein – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "principaux freins 2024", "Compris : fiches citant au moins un frein – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ByType},
	{"R", "", "combien de dmd de css ds le 62", "Compris : demandes « Complémentaire Santé Solidaire » – Pas-de-Calais – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes.", ""},
	{"R", "", "nb de pers accompagnees ajd", "Compris : personnes accompagnées (distinctes) – Hauts-de-France – le 20/05/2025 – unité : personnes distinctes.", ""},
	{"R", "", "fiches cette annee scolaire", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/09/2024 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches depuis lundi", "Compris : fiches d'accompagnement – Hauts-de-France – du 19/05/2025 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches de la semaine", "Compris : fiches d'accompagnement – Hauts-de-France – du 19/05/2025 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches du jour", "Compris : fiches d'accompagnement – Hauts-de-France – le 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches mars 24", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/03/2024 au 31/03/2024 – unité : fiches.", ""},
	{"R", "", "fiches du mois de mars", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/03/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches jusqu'a fin mars 2024", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2024 au 31/03/2024 – unité : fiches.", ""},
	{"R", "", "fiches entre le 15 et le 20 mars", "Compris : fiches d'accompagnement – Hauts-de-France – du 15/03/2025 au 20/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches du 1er au 15 avril 2024", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/04/2024 au 15/04/2024 – unité : fiches.", ""},
	{"R", "", "les femmes representent quel pourcentage", "Compris : fiches de femmes – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : fiches.", ""},
	{"R", "", "demandes d aide pour les rdv en 2024", "Compris : demandes « Prise de RDV » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : demandes.", ""},
	{"R", "", "partenaires du champ social", "Compris : partenaires du champ social – Hauts-de-France – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : partenaires.", ""},
	{"R", "", "fiches les trois derniers mois", "Compris : fiches d'accompagnement – Hauts-de-France – du 21/02/2025 au 20/05/2025 – unité : fiches.", ""},
	{"R", "", "fiches durant 2024", "Compris : fiches d'accompagnement – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"M", "", "combien de rdv jai pris pour les gens", "Compris : demandes « Prise de RDV » – vos chiffres – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : demandes.", ""},
	{"M", "", "combien d actions jai anime", "Compris : actions collectives de prévention – vos chiffres – du 01/01/2025 au 20/05/2025 (cette année, faute de période précisée) – unité : actions collectives.", ""},
	{"D", "", "fiches sur mon territoire en 2024", "Compris : fiches d'accompagnement – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},

	// follow-ups
	{"R", "combien de fiches dans le nord en 2024", "et lannee davant", "Compris : fiches d'accompagnement – Nord – du 01/01/2023 au 31/12/2023 – unité : fiches.", ""},
	{"R", "combien de fiches dans le nord en mars 2024", "et l annee d avant ?", "Compris : fiches d'accompagnement – Nord – du 01/03/2023 au 31/03/2023 – unité : fiches.", ""},
	{"R", "combien de fiches dans le nord en 2024", "idem pour la somme", "Compris : fiches d'accompagnement – Somme – du 01/01/2024 au 31/12/2024 – unité : fiches.", ""},
	{"R", "demandes de css en 2024", "et le taux ?", "Compris : taux de résolution – demandes « Complémentaire Santé Solidaire » – Hauts-de-France – du 01/01/2024 au 31/12/2024 – unité : part des demandes, en %.", ""},
	{"R", "demandes en 2024", "et la part ?", "Je n'ai pas compris quel chiffre vous cherchez.", ""},

	// guards: what the fixes must not read
	{"R", "", "fiches mars 59", "Compris : fiches d'accompagnement – Nord – du 01/03/2025 au 31/03/2025 – unité : fiches.", ""},
	{"R", "", "fiches de fin 2024", "Je n'ai compris qu'une partie de votre question.", ""},
	{"R", "", "fiches a lomme", "« lomme » : je ne connais pas ce lieu, qui ne fait pas partie des territoires de Relais.", ""},
	{"R", "", "fiches de l annee derniere a la meme periode", "Je n'ai compris qu'une partie de votre question.", ""},
	{"R", "", "fiches du sud de l aisne", "Je n'ai compris qu'une partie de votre question.", ""},
	{"R", "", "fiches par structure", "Je n'ai compris qu'une partie de votre question.", ""},
}

// heldStructures are the structures the coordinators' parser knows.
var heldStructures = append([]Structure{{"80", "Centre social Abbeville"}}, testStructures...)

// askAsTheBot answers text as internal/bot/questions.go does, after last
// (a follow-up when last is not ""): the first line of the answer, and
// the breakdown given.
func askAsTheBot(p *Parser, v indicators.Viewer, last, text string) (line, breakdown string) {
	q := p.Parse(text, today)
	if last != "" {
		l := p.Parse(last, today)
		if l.Understood() {
			if m, ok := Remember(l, l.Territory, today).Query(today); ok {
				if fq, ok := FollowUp(q, m); ok {
					q = fq
				}
			}
		}
	}
	var out string
	switch {
	case q.PeriodSaid && q.Period.CheckBounds(today) != nil:
		out = q.Period.CheckBounds(today).Error() + "."
	case len(q.Foreign) > 0:
		out = ForeignPlaces(hdf, q, v, "CCAS Roubaix")
	case !q.Understood():
		out = NotUnderstood(q)
	default:
		s, refusal := Scope(hdf, q, v)
		if refusal != "" {
			out = refusal
			break
		}
		out = Text(q, s, s.Label(), q.Period, FigureOf(q, &indicators.Report{Scope: s}), nil)
		breakdown = q.Breakdown
	}
	line, _, _ = strings.Cut(out, "\n")
	return line, breakdown
}

// Held-out questions, written apart from the parser's rules to judge it:
// each is answered right, or refused with the reason.
func TestHeldOutQuestions(t *testing.T) {
	t.Parallel()
	if len(heldOut) != 80 {
		t.Errorf("%d held-out questions, want 80", len(heldOut))
	}
	coordinators := NewParser(hdf, heldStructures)
	viewers := map[string]indicators.Viewer{
		"R": {Role: roles.Coordinator, Level: territory.LevelRegion},
		"D": {Role: roles.Coordinator, Level: territory.LevelDepartement, Departement: "80"},
		"M": {Role: roles.Mediator, MediatorID: 7},
	}
	wrong, refused := 0, 0
	for _, c := range heldOut {
		p := coordinators
		if c.who == "M" {
			p = NewParser(hdf, nil) // the bot gives a mediator's parser no structure
		}
		line, bd := askAsTheBot(p, viewers[c.who], c.after, c.text)
		if line != c.want || bd != c.bd {
			if strings.HasPrefix(line, "Compris : ") {
				wrong++
			} else {
				refused++
			}
			t.Errorf("%s %q (after %q)\n got  %s [%s]\n want %s [%s]", c.who, c.text, c.after, line, bd, c.want, c.bd)
		}
	}
	t.Logf("held-out: %d wrong figures, %d refusals or wrong refusals, %d right", wrong, refused, len(heldOut)-wrong-refused)
	for _, c := range probes {
		p := coordinators
		if c.who == "M" {
			p = NewParser(hdf, nil)
		}
		if line, bd := askAsTheBot(p, viewers[c.who], c.after, c.text); line != c.want || bd != c.bd {
			t.Errorf("probe %s %q\n got  %s [%s]\n want %s [%s]", c.who, c.text, line, bd, c.want, c.bd)
		}
	}
}

// « part des demandes de soins » is a share of all requests, not their
// count.
func TestShareOfRequestsIsAShare(t *testing.T) {
	t.Parallel()
	p := NewParser(hdf, nil)
	r := &indicators.Report{Rights: indicators.Requests{Total: 30}, Care: indicators.Requests{Total: 10}}
	for text, want := range map[string]string{
		"part des demandes de soins en 2024": "10 sur 40 demandes (25 %)",
		"demandes de soins en 2024":          "10",
	} {
		if got := FigureOf(p.Parse(text, today), r).Value; got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
	q, ok := FollowUp(p.Parse("et la part ?", today), p.Parse("demandes de soins en 2024", today))
	if got, want := FigureOf(q, r).Value, "10 sur 40 demandes (25 %)"; !ok || got != want {
		t.Errorf("« et la part ? » after the care requests: %q (%v), want %q", got, ok, want)
	}
}
