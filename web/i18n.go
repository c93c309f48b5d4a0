package web

import (
	"net/http"
	"strconv"
	"strings"
)

// The console's languages. Texts are written in English in the templates
// and translated through the French table below; a text missing from it
// shows in English.
var languages = []string{"fr", "en"}

// french translates the console's English texts.
var french = map[string]string{
	"Overview":                           "Vue d'ensemble",
	"Providers":                          "Prestataires",
	"Provider":                           "Prestataire",
	"Registry":                           "Registre",
	"Ledger":                             "Journal",
	"Complaints":                         "Plaintes",
	"Reports":                            "Rapports",
	"My portal":                          "Mon portail",
	"Log in":                             "Connexion",
	"Log out":                            "Déconnexion",
	"Name":                               "Nom",
	"Password":                           "Mot de passe",
	"Language":                           "Langue",
	"Wrong name or password.":            "Nom ou mot de passe incorrect.",
	"Messages per hour, last 48 hours":   "Messages par heure, 48 dernières heures",
	"Messages per day, last 30 days":     "Messages par jour, 30 derniers jours",
	"Decisions by reason, 30 days":       "Décisions par motif, 30 jours",
	"Oppositions and complaints per day": "Oppositions et plaintes par jour",
	"Top providers by violations":        "Prestataires les plus en infraction",
	"accepted":                           "acceptés",
	"deferred":                           "différés",
	"rejected":                           "refusés",
	"STOP":                               "STOP",
	"START":                              "START",
	"complaints":                         "plaintes",
	"confirmed":                          "confirmées",
	"measures":                           "mesures",
	"Status":                             "Statut",
	"Submitted":                          "Soumis",
	"Rejected":                           "Refusés",
	"Violations":                         "Infractions",
	"Violation rate":                     "Taux d'infraction",
	"Confirmed complaints":               "Plaintes confirmées",
	"Contracts":                          "Contrats",
	"Operator":                           "Opérateur",
	"Valid from":                         "Valable du",
	"Valid to":                           "au",
	"Daily cap":                          "Plafond journalier",
	"Sender IDs":                         "Identifiants d'expéditeur",
	"Advertiser":                         "Annonceur",
	"Advertisers":                        "Annonceurs",
	"Category":                           "Catégorie",
	"Channels":                           "Canaux",
	"Code":                               "Code",
	"Purpose":                            "Usage",
	"Scope":                              "Portée",
	"Free":                               "Gratuit",
	"Accounts":                           "Comptes",
	"Kind":                               "Type",
	"Rate limit":                         "Débit maximal",
	"Violations by reason, 30 days":      "Infractions par motif, 30 jours",
	"Cases":                              "Dossiers",
	"Measures":                           "Mesures",
	"Notifications":                      "Notifications",
	"Take a measure":                     "Prendre une mesure",
	"Warn":                               "Avertir",
	"Throttle":                           "Limiter",
	"Suspend":                            "Suspendre",
	"Lift":                               "Lever",
	"Reason":                             "Motif",
	"Rate (messages per second)":         "Débit (messages par seconde)",
	"in force":                           "en vigueur",
	"lifted":                             "levée",
	"At":                                 "Date",
	"By":                                 "Par",
	"None.":                              "Aucun.",
	"Records":                            "Enregistrements",
	"Export CSV":                         "Exporter en CSV",
	"Import CSV":                         "Importer un CSV",
	"Import":                             "Importer",
	"Delete":                             "Supprimer",
	"Search":                             "Rechercher",
	"From":                               "Du",
	"To":                                 "Au",
	"Subscriber number":                  "Numéro d'abonné",
	"Integrity":                          "Intégrité",
	"verified":                           "vérifié",
	"NOT VERIFIED":                       "NON VÉRIFIÉ",
	"entries":                            "entrées",
	"Signed checkpoint":                  "Point de contrôle signé",
	"Index":                              "Index",
	"Time":                               "Heure",
	"Outcome":                            "Décision",
	"Sender":                             "Expéditeur",
	"Recipient":                          "Destinataire",
	"Action":                             "Action",
	"Actor":                              "Acteur",
	"Detail":                             "Détail",
	"More results: narrow the search.":   "D'autres résultats : affinez la recherche.",
	"Case":                               "Dossier",
	"Received":                           "Reçue",
	"Text":                               "Texte",
	"Matches":                            "Correspondances",
	"History":                            "Historique",
	"Confirm":                            "Confirmer",
	"Dismiss":                            "Classer",
	"all":                                "tous",
	"Download CSV":                       "Télécharger en CSV",
	"Day":                                "Jour",
	"Accepted":                           "Acceptés",
	"Deferred":                           "Différés",
	"Stops":                              "STOP",
	"Your traffic":                       "Votre trafic",
	"Refused messages":                   "Messages refusés",
	"How to fix it":                      "Comment corriger",
	"Opted-out numbers":                  "Numéros opposés",
	"Download the numbers opted out since sequence": "Télécharger les numéros opposés depuis la séquence",
	"Download": "Télécharger",
	"Use 0 for every opposition in force; the file's header X-Bawwab-Next-Since and its last seq column give the next value.": "0 pour toutes les oppositions en vigueur ; la colonne seq de la dernière ligne donne la valeur suivante.",
	"API keys":     "Clés d'API",
	"Create a key": "Créer une clé",
	"Revoke":       "Révoquer",
	"Your new API key (shown once, keep it safe):": "Votre nouvelle clé d'API (affichée une seule fois, conservez-la) :",
	"Back":                        "Retour",
	"Error":                       "Erreur",
	"Not found":                   "Introuvable",
	"Done.":                       "Fait.",
	"Measure taken.":              "Mesure prise.",
	"Measure lifted.":             "Mesure levée.",
	"Case decided.":               "Dossier tranché.",
	"Key revoked.":                "Clé révoquée.",
	"Records imported.":           "Enregistrements importés.",
	"Record deleted.":             "Enregistrement supprimé.",
	"active":                      "actif",
	"warned":                      "averti",
	"throttled":                   "limité",
	"suspended":                   "suspendu",
	"withdrawn":                   "retiré",
	"open":                        "ouvert",
	"unmatched":                   "sans correspondance",
	"dismissed":                   "classé",
	"warning":                     "avertissement",
	"throttle":                    "limitation",
	"suspension":                  "suspension",
	"Everything":                  "Tout",
	"Role":                        "Rôle",
	"regulator":                   "régulateur",
	"operator":                    "opérateur",
	"provider":                    "prestataire",
	"No ledger status available.": "Statut du journal indisponible.",
	"Problem":                     "Problème",
	"Public key":                  "Clé publique",
	"Unverified entries since the checkpoint": "Entrées postérieures au point de contrôle",
	"CSV file":                               "Fichier CSV",
	"Filter":                                 "Filtrer",
	"Previous":                               "Précédent",
	"Next":                                   "Suivant",
	"total":                                  "au total",
	"Refused in the last 30 days, by reason": "Refus des 30 derniers jours, par motif",
	"Show":                                   "Afficher",
	"Fingerprint":                            "Empreinte",
	"Channel":                                "Canal",
	"Score":                                  "Score",
	"Declared":                               "Déclaré",
	"ANRT declaration":                       "Déclaration ANRT",
	"Compliance gateway for commercial SMS":  "Passerelle de conformité des SMS commerciaux",
	"Main menu":                              "Menu principal",
	"My account":                             "Mon compte",
	"Change the password":                    "Changer le mot de passe",
	"Current password":                       "Mot de passe actuel",
	"New password":                           "Nouveau mot de passe",
	"Password changed.":                      "Mot de passe changé.",
	"opened":                                 "ouvert",
	"Of":                                     "De",
	"disabled":                               "désactivé",
	"enabled":                                "actif",
	"Disable":                                "Désactiver",
	"New account":                            "Nouveau compte",
	"Provider or operator":                   "Prestataire ou opérateur",
	"Create":                                 "Créer",
	"Save":                                   "Enregistrer",
	"Provider portals":                       "Portails des prestataires",
	"Choose the provider whose portal to view: its traffic, refused messages, opted-out numbers and API keys.": "Choisissez le prestataire dont afficher le portail : son trafic, ses messages refusés, ses numéros opposés et ses clés d'API.",
	"Create or replace a record (JSON, as listed below)":                                                       "Créer ou remplacer un enregistrement (JSON, comme listé ci-dessous)",
}

// tr returns the text in lang.
func tr(lang, s string) string {
	if lang == "fr" {
		if f, ok := french[s]; ok {
			return f
		}
	}
	return s
}

// LangCookie holds the language chosen with the switch.
const LangCookie = "bawwab_lang"

// language picks the page's language: the one chosen with the switch,
// else the first of French and English in Accept-Language, else French.
func language(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		for _, l := range languages {
			if c.Value == l {
				return l
			}
		}
	}
	best, bestQ := "", -1.0
	for i, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0 - float64(i)*0.001
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f - float64(i)*0.001
			}
		}
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range languages {
			if base == l && q > bestQ {
				best, bestQ = l, q
			}
		}
	}
	if best == "" {
		return "fr"
	}
	return best
}
