package question

// A meaning is what a phrase of the lexicon says: a category and a value.
type meaning struct{ cat, val string }

// Categories of meanings.
const (
	cSheets      = "sheets"
	cPeople      = "people"
	cQPV         = "qpv"
	cSex         = "sex"
	cAge         = "age"
	cRes         = "resources"
	cContact     = "contact"
	cLevel       = "level"
	cProtection  = "protection"
	cRequests    = "requests"
	cKind        = "kind"
	cType        = "type" // "droits.css"
	cResolved    = "resolved"
	cRate        = "rate"
	cOpen        = "open"
	cOverdue     = "overdue"
	cObstacles   = "obstacles"
	cActions     = "actions"
	cRole        = "role"
	cTheme       = "theme"
	cAudience    = "audience"
	cPartic      = "participants"
	cPartners    = "partners"
	cPCat        = "pcat"
	cReviews     = "reviews"
	cReviewQ     = "reviewq"
	cMediators   = "mediators"
	cPosts       = "posts"
	cShare       = "share"
	cTerritory   = "territory" // "d:59", "r:76", "g:32.0", "region" (the asker's), "rural", "qpv_posts", "own"
	cBreakdown   = "breakdown"
	cFiller      = "filler"
	cDepartement = "dept" // the word "département" itself
	cMean        = "mean"
	cStatus      = "status"  // a request's status the indicators do not count: non_resolue, abandonnee, close
	cAgeBand     = "ageband" // an age band: no indicator counts one
)

// phrases is the catalogue's vocabulary: each phrase (as typed, accents or
// not) with what it means. Several meanings are resolved by context
// ("dépistage" is a care request, or an action theme next to "actions").
var phrases = []phrase{
	// sheets and people
	ph("fiches", m(cSheets, "")), ph("fiches d'accompagnement", m(cSheets, "")), ph("accompagnements", m(cSheets, "")),
	ph("passages", m(cSheets, "")), ph("saisies", m(cSheets, "")),
	ph("accomp", m(cSheets, "")), ph("accompagnements réalisés", m(cSheets, "")),
	ph("personnes", m(cPeople, "")), ph("gens", m(cPeople, "")), ph("usagers", m(cPeople, "")),
	ph("beneficiaires", m(cPeople, "")), ph("bénéf", m(cPeople, "")), ph("bénéfs", m(cPeople, "")), ph("pers", m(cPeople, "")), ph("habitants", m(cPeople, "")), ph("file active", m(cPeople, "")),
	ph("personnes accompagnées", m(cPeople, "")), ph("personnes différentes", m(cPeople, "")),
	ph("personnes distinctes", m(cPeople, "")), ph("personnes suivies", m(cPeople, "")), ph("publics", m(cPeople, "")),
	ph("QPV", m(cQPV, "")), ph("quartiers prioritaires", m(cQPV, "")), ph("quartier prioritaire", m(cQPV, "")),
	ph("quartiers politique de la ville", m(cQPV, "")), ph("vivant en QPV", m(cQPV, "")), ph("habitant en QPV", m(cQPV, "")),
	ph("hors QPV", m(cQPV, "non")), ph("pas en QPV", m(cQPV, "non")), ph("non QPV", m(cQPV, "non")),
	ph("hors quartiers prioritaires", m(cQPV, "non")),
	ph("femmes", m(cSex, "F")), ph("féminin", m(cSex, "F")), ph("hommes", m(cSex, "M")), ph("masculin", m(cSex, "M")),
	ph("non binaires", m(cSex, "X")), ph("sexe", m(cSex, "")), ph("genre", m(cSex, "")),
	ph("âge", m(cAge, "")), ph("âge moyen", m(cAge, "")), ph("moyenne d'âge", m(cAge, "")), ph("moyenne", m(cMean, "")),
	ph("moyen", m(cMean, "")),
	// resources
	ph("ressources", m(cRes, "")), ph("revenus", m(cRes, "")), ph("AAH", m(cRes, "aah")),
	ph("allocation adulte handicapé", m(cRes, "aah")), ph("allocations familiales", m(cRes, "allocations_familiales")),
	ph("CAF", m(cRes, "allocations_familiales")), ph("assurance maladie", m(cRes, "assurance_maladie")),
	ph("sans ressources", m(cRes, "aucune")), ph("aucune ressource", m(cRes, "aucune")), ph("sans revenu", m(cRes, "aucune")),
	ph("chômage", m(cRes, "chomage")), ph("chômeurs", m(cRes, "chomage")), ph("ARE", m(cRes, "chomage")),
	ph("retraite", m(cRes, "retraite")), ph("retraités", m(cRes, "retraite")), ph("réversion", m(cRes, "reversion")),
	ph("RSA", m(cRes, "rsa")), ph("salaire", m(cRes, "salaire")), ph("salariés", m(cRes, "salaire")),
	ph("non communiqué", m(cRes, "non_communique")),
	// contact modes
	ph("mode de contact", m(cContact, "")), ph("modes de contact", m(cContact, "")), ph("premier contact", m(cContact, "")),
	ph("aller vers", m(cContact, "aller_vers")), ph("aller-vers", m(cContact, "aller_vers")),
	ph("bouche à oreille", m(cContact, "bouche_a_oreille")), ph("communication", m(cContact, "communication")),
	ph("contact direct", m(cContact, "contact_direct")), ph("orientation par un partenaire", m(cContact, "orientation_partenaire")),
	ph("orientation partenaire", m(cContact, "orientation_partenaire")), ph("orientés par un partenaire", m(cContact, "orientation_partenaire")),
	ph("orientés par des partenaires", m(cContact, "orientation_partenaire")),
	ph("rencontre physique", m(cContact, "rencontre_physique")), ph("venus d'eux-mêmes", m(cContact, "demarche_usager")),
	ph("démarche de l'usager", m(cContact, "demarche_usager")), ph("démarche spontanée", m(cContact, "demarche_usager")),
	ph("venus d'elles-mêmes", m(cContact, "demarche_usager")), ph("d'eux-mêmes", m(cContact, "demarche_usager")),
	ph("venues d'elles-mêmes", m(cContact, "demarche_usager")), ph("spontanément", m(cContact, "demarche_usager")),
	// levels
	ph("niveau", m(cLevel, "")), ph("niveaux", m(cLevel, "")), ph("informés", m(cLevel, "informe")),
	ph("orientés", m(cLevel, "oriente")), ph("accompagnés", m(cLevel, "accompagne")),
	ph("protection sociale", m(cProtection, "")), ph("orientés vers la protection sociale", m(cProtection, "")),
	ph("acteurs de la protection sociale", m(cProtection, "")),
	// requests
	ph("demandes", m(cRequests, "")), ph("requêtes", m(cRequests, "")), ph("dossiers", m(cRequests, "")),
	ph("besoins", m(cRequests, "")), ph("sollicitations", m(cRequests, "")),
	ph("dmd", m(cRequests, "")), ph("dmds", m(cRequests, "")), ph("dde", m(cRequests, "")), ph("ddes", m(cRequests, "")),
	ph("droits", m(cKind, "droits")), ph("accès aux droits", m(cKind, "droits")), ph("ouverture de droits", m(cKind, "droits")),
	ph("droits ouverts", m(cKind, "droits"), m(cResolved, "")), ph("ouvertures de droits obtenues", m(cKind, "droits"), m(cResolved, "")),
	ph("soins", m(cKind, "soins")), ph("accès aux soins", m(cKind, "soins")),
	ph("CSS", m(cType, "droits.css")), ph("C2S", m(cType, "droits.css")), ph("CMU", m(cType, "droits.css")),
	ph("complémentaire santé solidaire", m(cType, "droits.css")), ph("complémentaire santé", m(cType, "droits.css")),
	ph("complémentaire", m(cType, "droits.css")), ph("mutuelle", m(cType, "droits.css")),
	ph("frais de spécialiste", m(cType, "droits.frais_specialiste")), ph("spécialiste", m(cType, "droits.frais_specialiste")), ph("aides spécialiste", m(cType, "droits.frais_specialiste")),
	ph("aides pour frais de spécialiste", m(cType, "droits.frais_specialiste")),
	ph("prestations de santé", m(cType, "droits.prestations_sante")), ph("prestations sociales", m(cType, "droits.prestations_sociales")),
	ph("RDV", m(cType, "soins.rdv")), ph("rendez-vous", m(cType, "soins.rdv")), ph("prise de RDV", m(cType, "soins.rdv")),
	ph("prise de rendez-vous", m(cType, "soins.rdv")), ph("RDV pris", m(cType, "soins.rdv")), ph("rendez-vous pris", m(cType, "soins.rdv")), ph("médecin traitant", m(cType, "soins.recherche_ps")),
	ph("recherche de médecin", m(cType, "soins.recherche_ps")), ph("professionnel de santé", m(cType, "soins.recherche_ps")),
	ph("médecin", m(cType, "soins.recherche_ps")), ph("recherche de médecin traitant", m(cType, "soins.recherche_ps")),
	ph("accompagnement aux RDV médicaux", m(cType, "soins.accompagnement_rdv")), ph("recherche de professionnel", m(cType, "soins.recherche_ps")),
	ph("bilan de santé", m(cType, "soins.bilan_sante"), m(cTheme, "bilan_sante")),
	ph("accompagnement aux RDV", m(cType, "soins.accompagnement_rdv")), ph("accompagnement aux rendez-vous", m(cType, "soins.accompagnement_rdv")),
	ph("accompagnement physique", m(cType, "soins.accompagnement_rdv")), ph("accompagnements physiques", m(cType, "soins.accompagnement_rdv")),
	ph("RDV médicaux accompagnés", m(cType, "soins.accompagnement_rdv")), ph("RDV accompagnés", m(cType, "soins.accompagnement_rdv")),
	ph("accompagnement RDV", m(cType, "soins.accompagnement_rdv")), ph("aide pour les RDV", m(cType, "soins.rdv")),
	ph("aide ou prise de RDV", m(cType, "soins.rdv")), ph("aide à la prise de RDV", m(cType, "soins.rdv")),
	ph("conseil santé", m(cType, "soins.conseil")), ph("conseils", m(cType, "soins.conseil")),
	ph("activité physique adaptée", m(cType, "soins.apa")), ph("APA", m(cType, "soins.apa")), ph("sport", m(cType, "soins.apa")),
	ph("dépistage", m(cType, "soins.depistage"), m(cTheme, "cancer")), ph("dépistage organisé", m(cType, "soins.depistage")),
	ph("plateforme de rendez-vous", m(cType, "soins.plateforme_rdv")), ph("plateforme", m(cType, "soins.plateforme_rdv")),
	ph("doctolib", m(cType, "soins.plateforme_rdv")),
	ph("addiction", m(cType, "soins.addiction"), m(cTheme, "addiction")), ph("addictions", m(cType, "soins.addiction"), m(cTheme, "addiction")),
	ph("CMPP", m(cType, "soins.addiction")), ph("CSAPA", m(cType, "soins.addiction")),
	ph("atelier cuisine", m(cType, "soins.atelier_cuisine")), ph("ateliers cuisine", m(cType, "soins.atelier_cuisine")),
	// status
	ph("résolues", m(cResolved, "")), ph("résolus", m(cResolved, "")), ph("abouties", m(cResolved, "")),
	ph("réglées", m(cResolved, "")), ph("résolution", m(cRate, "")), ph("taux de résolution", m(cRate, "")),
	ph("taux de réussite", m(cRate, "")),
	ph("non résolues", m(cStatus, "non_resolue")), ph("non résolus", m(cStatus, "non_resolue")),
	ph("pas résolues", m(cStatus, "non_resolue")), ph("pas résolus", m(cStatus, "non_resolue")),
	ph("non abouties", m(cStatus, "non_resolue")), ph("échec", m(cStatus, "non_resolue")), ph("échouées", m(cStatus, "non_resolue")),
	ph("refusées", m(cStatus, "non_resolue")), ph("refusés", m(cStatus, "non_resolue")), ph("rejetées", m(cStatus, "non_resolue")),
	ph("abandonnées", m(cStatus, "abandonnee")), ph("abandonnés", m(cStatus, "abandonnee")), ph("abandon", m(cStatus, "abandonnee")),
	ph("abandons", m(cStatus, "abandonnee")), ph("clôturées", m(cStatus, "close")), ph("clôturés", m(cStatus, "close")),
	ph("fermées", m(cStatus, "close")), ph("terminées", m(cStatus, "close")), ph("closes", m(cStatus, "close")),
	ph("en attente", m(cOpen, "")), ph("non traitées", m(cOpen, "")), ph("pas encore résolues", m(cOpen, "")),
	ph("statut", m(cStatus, "")), ph("par statut", m(cStatus, "")),
	// age bands
	ph("mineurs", m(cAgeBand, "mineurs")), ph("mineures", m(cAgeBand, "mineurs")), ph("majeurs", m(cAgeBand, "majeurs")),
	ph("seniors", m(cAgeBand, "seniors")), ph("séniors", m(cAgeBand, "seniors")), ph("personnes âgées", m(cAgeBand, "personnes âgées")),
	ph("âgées", m(cAgeBand, "personnes âgées")), ph("enfants", m(cAgeBand, "enfants")), ph("adolescents", m(cAgeBand, "adolescents")),
	ph("ados", m(cAgeBand, "adolescents")), ph("tranche d'âge", m(cAgeBand, "par tranche d'âge")),
	ph("tranches d'âge", m(cAgeBand, "par tranche d'âge")), ph("par âge", m(cAgeBand, "par tranche d'âge")),
	ph("par tranche d'âge", m(cAgeBand, "par tranche d'âge")), ph("classe d'âge", m(cAgeBand, "par tranche d'âge")),
	ph("en cours", m(cOpen, "")), ph("ouvertes", m(cOpen, "")), ph("suivis", m(cOpen, "")), ph("suivis en cours", m(cOpen, "")),
	ph("en retard", m(cOverdue, "")), ph("retard", m(cOverdue, "")), ph("suivis en retard", m(cOverdue, "")),
	ph("relances", m(cOverdue, "")), ph("à relancer", m(cOverdue, "")), ph("dépassés", m(cOverdue, "")),
	// obstacles
	ph("freins", m(cObstacles, "")), ph("obstacles", m(cObstacles, "")), ph("difficultés", m(cObstacles, "")),
	ph("barrières", m(cObstacles, "")),
	ph("démarches administratives", m(cObstacles, "demarches")), ph("freins administratifs", m(cObstacles, "demarches")),
	ph("difficultés administratives", m(cObstacles, "demarches")), ph("administratif", m(cObstacles, "demarches")), ph("complexité des démarches", m(cObstacles, "demarches")),
	ph("mobilité", m(cObstacles, "mobilite")), ph("transport", m(cObstacles, "mobilite")),
	ph("manque d'info", m(cObstacles, "manque_info")), ph("manque d'information", m(cObstacles, "manque_info")),
	ph("méconnaissance", m(cObstacles, "manque_info")), ph("non connaissance", m(cObstacles, "non_connaissance")),
	ph("handicap", m(cObstacles, "handicap")), ph("situation de handicap", m(cObstacles, "handicap")), ph("crainte", m(cObstacles, "crainte")), ph("peur", m(cObstacles, "crainte")),
	ph("logement", m(cObstacles, "logement")), ph("emploi", m(cObstacles, "emploi")), ph("éducation", m(cObstacles, "education")),
	ph("ressources financières", m(cObstacles, "ressources")), ph("argent", m(cObstacles, "ressources")),
	ph("langue", m(cObstacles, "langue")), ph("barrière linguistique", m(cObstacles, "langue")),
	ph("barrière de la langue", m(cObstacles, "langue")),
	// collective actions
	ph("actions", m(cActions, "")), ph("actions collectives", m(cActions, "")), ph("actions de prévention", m(cActions, "")),
	ph("prévention", m(cActions, "")), ph("ateliers", m(cActions, "")), ph("animations", m(cActions, "")),
	ph("animations collectives", m(cActions, "")), ph("ateliers collectifs", m(cActions, "")), ph("séances collectives", m(cActions, "")),
	ph("co-animées", m(cRole, "coanimee")), ph("coanimées", m(cRole, "coanimee")), ph("co-construites", m(cRole, "coconstruite")),
	ph("coconstruites", m(cRole, "coconstruite")), ph("participation", m(cRole, "participation")),
	ph("professionnels", m(cAudience, "professionnels")), ph("pros", m(cAudience, "professionnels")),
	ph("nutrition", m(cTheme, "nutrition")), ph("alimentation", m(cTheme, "nutrition")), ph("cancer", m(cTheme, "cancer")),
	ph("cancers", m(cTheme, "cancer")), ph("santé mentale", m(cTheme, "sante_mentale")), ph("santé sexuelle", m(cTheme, "sante_sexuelle")),
	ph("vaccination", m(cTheme, "vaccination")), ph("vaccins", m(cTheme, "vaccination")),
	ph("parcours de soins", m(cTheme, "parcours_soins")), ph("hygiène", m(cTheme, "hygiene")),
	ph("santé des jeunes", m(cTheme, "sante_jeunes")), ph("jeunes", m(cAgeBand, "jeunes")), ph("thèmes", m(cTheme, "")),
	ph("thématiques", m(cTheme, "")),
	ph("participants", m(cPartic, "")), ph("participantes", m(cPartic, "")),
	// partners and reviews
	ph("partenaires", m(cPartners, "")), ph("réseau", m(cPartners, "")), ph("sanitaires", m(cPCat, "sanitaire")),
	ph("sociaux", m(cPCat, "social")), ph("médico-sociaux", m(cPCat, "medico_social")), ph("médico-social", m(cPCat, "medico_social")),
	ph("champ social", m(cPCat, "social")), ph("champ sanitaire", m(cPCat, "sanitaire")), ph("champ médico-social", m(cPCat, "medico_social")),
	ph("bilans", m(cReviews, "")), ph("bilans annuels", m(cReviews, "")), ph("bilan annuel", m(cReviews, "")),
	ph("identifiés", m(cReviewQ, "identified")), ph("identifiés sur le territoire", m(cReviewQ, "identified")),
	ph("missions connues", m(cReviewQ, "missions_known")), ph("partenariat avec la CPAM", m(cReviewQ, "cpam_partnership")),
	ph("partenariat CPAM", m(cReviewQ, "cpam_partnership")), ph("instances partenariales", m(cReviewQ, "partner_bodies")),
	ph("instances", m(cReviewQ, "partner_bodies")), ph("projet professionnel", m(cReviewQ, "professional_project")),
	ph("formation", m(cReviewQ, "training")), ph("suivi une formation", m(cReviewQ, "training")), ph("suivi la formation", m(cReviewQ, "training")),
	ph("suivi des formations", m(cReviewQ, "training")), ph("formation suivie", m(cReviewQ, "training")),
	ph("participent à des instances", m(cReviewQ, "partner_bodies")), ph("participé à des instances", m(cReviewQ, "partner_bodies")),
	ph("participation à des instances", m(cReviewQ, "partner_bodies")), ph("participation aux instances", m(cReviewQ, "partner_bodies")),
	ph("projet pro", m(cReviewQ, "professional_project")), ph("formations", m(cReviewQ, "training")), ph("formés", m(cReviewQ, "training")),
	// mediators
	ph("médiateurs", m(cMediators, "")), ph("médiatrices", m(cMediators, "")), ph("médiateurs actifs", m(cMediators, "")),
	ph("médiateurs santé", m(cMediators, "")), ph("postes", m(cPosts, "")), ph("postes de médiateurs", m(cPosts, "")),
	// shares
	ph("part", m(cShare, "")), ph("pourcentage", m(cShare, "")), ph("proportion", m(cShare, "")), ph("taux", m(cShare, "")),
	ph("%", m(cShare, "")), ph("tx", m(cShare, "")), ph("ratio", m(cShare, "")), ph("répartition", m(cBreakdown, "")),
	// territories
	// (the served regions, their groupings and départements: territoryPhrases)
	ph("région", m(cTerritory, "region")), ph("régional", m(cTerritory, "region")),
	ph("ruraux", m(cTerritory, "rural")), ph("rurales", m(cTerritory, "rural")), ph("postes ruraux", m(cTerritory, "rural"), m(cPosts, "")),
	ph("milieu rural", m(cTerritory, "rural")), ph("zone rurale", m(cTerritory, "rural")),
	ph("postes en QPV", m(cTerritory, "qpv_posts"), m(cPosts, "")), ph("postes QPV", m(cTerritory, "qpv_posts"), m(cPosts, "")),
	ph("postes en quartier", m(cTerritory, "qpv_posts"), m(cPosts, "")),
	ph("mes", m(cTerritory, "own")), ph("mon", m(cTerritory, "own")), ph("ma", m(cTerritory, "own")), ph("j'ai", m(cTerritory, "own")),
	ph("territoire", m(cTerritory, "own")), ph("mon territoire", m(cTerritory, "own")),
	ph("département", m(cDepartement, "")), ph("dept", m(cDepartement, "")), ph("dép", m(cDepartement, "")), ph("dpt", m(cDepartement, "")),
	// breakdowns
	ph("par département", m(cBreakdown, "departement")), ph("par dept", m(cBreakdown, "departement")),
	ph("par dép", m(cBreakdown, "departement")), ph("par territoire", m(cBreakdown, "departement")),
	ph("départements", m(cBreakdown, "departement")),
	ph("par type", m(cBreakdown, "type")), ph("par types", m(cBreakdown, "type")), ph("par motif", m(cBreakdown, "type")),
	ph("par thème", m(cBreakdown, "type")), ph("par catégorie", m(cBreakdown, "type")), ph("par sexe", m(cBreakdown, "type"), m(cSex, "")), ph("détail", m(cBreakdown, "")),
	ph("détaillé", m(cBreakdown, "")),
	ph("par mois", m(cBreakdown, "month")), ph("mois par mois", m(cBreakdown, "month")), ph("mensuel", m(cBreakdown, "month")),
	ph("chaque mois", m(cBreakdown, "month")), ph("évolution", m(cBreakdown, "month")),
	// words that carry no meaning here
	ph("combien", m(cFiller, "")), ph("cb", m(cFiller, "")), ph("cbn", m(cFiller, "")), ph("cmb", m(cFiller, "")),
	ph("nbr", m(cFiller, "")), ph("nbre", m(cFiller, "")), ph("nmbre", m(cFiller, "")), ph("nombre", m(cFiller, "")), ph("nb", m(cFiller, "")), ph("total", m(cFiller, "")),
	ph("quel", m(cFiller, "")), ph("quelle", m(cFiller, "")), ph("quels", m(cFiller, "")), ph("quelles", m(cFiller, "")),
	ph("chiffres", m(cFiller, "")), ph("chiffre", m(cFiller, "")), ph("indicateur", m(cFiller, "")),
	ph("par", m(cFiller, "")), ph("problèmes", m(cFiller, "")), ph("liés", m(cFiller, "")), ph("remplis", m(cFiller, "")),
	ph("actifs", m(cFiller, "")), ph("actives", m(cFiller, "")), ph("beaucoup", m(cFiller, "")), ph("venues", m(cFiller, "")), ph("vues", m(cFiller, "")), ph("vus", m(cFiller, "")), ph("vu", m(cFiller, "")),
	ph("rencontrées", m(cFiller, "")), ph("reçues", m(cFiller, "")), ph("reçus", m(cFiller, "")),
	ph("concernant", m(cFiller, "")), ph("année", m(cFiller, "")), ph("années", m(cFiller, "")), ph("période", m(cFiller, "")), ph("nombreux", m(cFiller, "")), ph("environ", m(cFiller, "")),
	ph("médicaux", m(cFiller, "")),
	// rankings: the list answers them, most frequent first
	ph("principaux", m(cFiller, "")), ph("principales", m(cFiller, "")), ph("plus fréquents", m(cFiller, "")),
	ph("fréquents", m(cFiller, "")), ph("plus courants", m(cFiller, "")), ph("plus utilisés", m(cFiller, "")),
	ph("utilisés", m(cFiller, "")), ph("plus cités", m(cFiller, "")), ph("top", m(cFiller, "")), ph("classement", m(cFiller, "")),
	ph("bcp", m(cFiller, "")),
	ph("animées", m(cFiller, "")), ph("animé", m(cFiller, "")), ph("menées", m(cFiller, "")), ph("organisées", m(cFiller, "")),
	ph("représentent", m(cFiller, "")), ph("représente", m(cFiller, "")), ph("stats", m(cFiller, "")), ph("statistiques", m(cFiller, "")), ph("ensemble", m(cFiller, "")), ph("cumulé", m(cFiller, "")), ph("actuellement", m(cFiller, "")),
}

func m(cat, val string) meaning { return meaning{cat, val} }

type phrase struct {
	text  string
	means []meaning
}

func ph(text string, means ...meaning) phrase { return phrase{text, means} }

// stop words are dropped from questions and phrases alike.
var stop = map[string]bool{
	"de": true, "du": true, "des": true, "d": true, "la": true, "le": true, "les": true, "l": true, "un": true,
	"une": true, "a": true, "au": true, "aux": true, "en": true, "et": true, "dans": true, "sur": true, "pour": true,
	"avec": true, "chez": true, "vers": true, "ou": true, "qu": true, "y": true, "il": true, "on": true, "est": true,
	"sont": true, "ce": true, "ces": true, "cet": true, "cette": true, "que": true, "qui": true, "quoi": true, "ont": true, "eu": true,
	"avons": true, "avez": true, "ai": true, "je": true, "j": true, "t": true, "c": true, "s": true, "m": true,
	"n": true, "me": true, "moi": true, "nous": true, "vous": true, "tu": true, "stp": true, "svp": true, "merci": true,
	"bonjour": true, "donne": true, "donnez": true, "dis": true, "dire": true, "voir": true, "savoir": true,
	"voudrais": true, "veux": true, "aimerais": true, "peux": true, "pouvez": true, "fait": true, "faites": true,
	"faits": true, "ete": true, "etait": true, "leur": true, "leurs": true, "nos": true, "notre": true, "vos": true,
	"votre": true, "tous": true, "toutes": true, "tout": true, "toute": true, "plait": true, "as": true, "avait": true,
	"ya": true, "by": true, "of": true, "the": true, "numero": true, "depuis": true,
	"entre": true, "jusqu": true, "partir": true, "hello": true, "salut": true, "se": true, "sa": true, "son": true,
	"lui": true, "elle": true, "elles": true, "ils": true, "ds": true,
	"enregistre": true, "enregistrees": true, "enregistres": true, "realise": true, "realisees": true, "realises": true,
	"faire": true, "avoir": true, "ici": true, "actuellement": true, "actuel": true,
	"connaitre": true, "donner": true, "montre": true, "montrer": true, "affiche": true, "afficher": true,
	"obtenir": true, "indiquer": true, "indique": true, "dites": true, "sais": true, "savez": true, "aimerait": true,
	"voudrait": true, "souhaite": true, "souhaiterais": true, "besoin": true,
	// SMS spellings
	"kel": true, "kelle": true, "kels": true, "koi": true, "pr": true, "ac": true, "avc": true, "aupres": true, "svpl": true,
	"pk": true, "pcq": true, "tt": true, "ts": true, "tte": true, "ttes": true, "mais": true, "aussi": true, "comme": true, "durant": true, "pendant": true, "lors": true,
}

// entry is a phrase ready for matching.
type entry struct {
	words []string // stemmed, stop words removed
	raws  []string // the same words unstemmed, for typos
	means []meaning
}

// build folds phrases into entries (vocabFor adds the served
// territories' to the catalogue's).
func build(phrases []phrase) []entry {
	var out []entry
	for _, p := range phrases {
		var ws, raws []string
		for _, w := range tokens(p.text) {
			if !stop[w] {
				ws = append(ws, stem(w))
				raws = append(raws, w)
			}
		}
		if len(ws) == 0 {
			continue
		}
		out = append(out, entry{words: ws, raws: raws, means: p.means})
	}
	return out
}

// structureWords are too common in structure names to designate one.
var structureWords = map[string]bool{
	"ccas": true, "centre": true, "social": true, "sociale": true, "ville": true, "association": true, "maison": true,
	"sante": true, "mairie": true, "commune": true, "services": true, "service": true, "espace": true, "quartier": true,
	// points of the compass: « les fiches du sud » name no structure
	"sud": true, "ouest": true, "est": true,
}
