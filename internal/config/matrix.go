package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Matrix is the bot's Matrix account: with it, relais serve answers on
// Matrix (alone, or beside Telegram when TELEGRAM_TOKEN is set too).
type Matrix struct {
	HomeserverURL string // MATRIX_HOMESERVER_URL, https://matrix.example.fr
	UserID        string // MATRIX_USER_ID, @relais:example.fr
	// AccessToken (MATRIX_ACCESS_TOKEN) is a session of the bot's device;
	// Password (MATRIX_PASSWORD) logs in once and keeps the device. One of
	// them is needed.
	AccessToken string
	Password    string
	// PickleKey (MATRIX_PICKLE_KEY) encrypts the bot's end-to-end keys in
	// the database: losing it means new keys, changing it too.
	PickleKey string
	// Rate (MATRIX_RATE) is the events a second the bot sends in all; 0:
	// the transport's default. It is the homeserver's to allow: Synapse
	// limits an account unless its operators exempt the bot (rc_message),
	// so it is set to what they granted.
	Rate float64
}

// MaxMatrixRate bounds MATRIX_RATE: a higher figure is a typo, not a
// homeserver's allowance.
const MaxMatrixRate = 1000

// MinPickleKeyLen is the shortest MATRIX_PICKLE_KEY.
const MinPickleKeyLen = 32

// Enabled says whether a Matrix account is configured.
func (m Matrix) Enabled() bool { return m.HomeserverURL != "" }

// String never prints the token, the password or the key.
func (m Matrix) String() string {
	if !m.Enabled() {
		return "matrix=off"
	}
	s := "matrix=" + m.UserID + "@" + m.HomeserverURL
	if m.Rate > 0 {
		s += " rate=" + strconv.FormatFloat(m.Rate, 'f', -1, 64) + "/s"
	}
	return s
}

// read takes the MATRIX_ variables: all of them or none (a half-set
// account is refused with what is missing, rather than served without
// Matrix).
func (m *Matrix) read(getenv func(string) string) error {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	*m = Matrix{HomeserverURL: get("MATRIX_HOMESERVER_URL"), UserID: get("MATRIX_USER_ID"),
		AccessToken: get("MATRIX_ACCESS_TOKEN"), Password: getenv("MATRIX_PASSWORD"), PickleKey: get("MATRIX_PICKLE_KEY")}
	if m.HomeserverURL == "" {
		for _, k := range []string{"MATRIX_USER_ID", "MATRIX_ACCESS_TOKEN", "MATRIX_PASSWORD", "MATRIX_PICKLE_KEY", "MATRIX_RATE"} {
			if get(k) != "" {
				return &Error{"MATRIX_HOMESERVER_URL", fmt.Sprintf("manquant alors que %s est défini : donnez l'adresse du serveur Matrix du compte du bot (par exemple https://matrix.agent.tchap.gouv.fr) ou retirez les variables MATRIX_", k)}
			}
		}
		return nil
	}
	if u, err := url.Parse(m.HomeserverURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &Error{"MATRIX_HOMESERVER_URL", "n'est pas une adresse http(s)://, par exemple https://matrix.example.fr"}
	}
	if m.UserID == "" {
		return &Error{"MATRIX_USER_ID", "manquant : l'identifiant Matrix du compte du bot, par exemple @relais:example.fr"}
	}
	if at, colon := strings.IndexByte(m.UserID, '@'), strings.IndexByte(m.UserID, ':'); at != 0 || colon < 2 || colon == len(m.UserID)-1 {
		return &Error{"MATRIX_USER_ID", fmt.Sprintf("%q n'est pas un identifiant Matrix : il s'écrit @nom:serveur, par exemple @relais:example.fr", m.UserID)}
	}
	if m.AccessToken == "" && m.Password == "" {
		return &Error{"MATRIX_ACCESS_TOKEN", "manquant : donnez le jeton d'accès du compte du bot (MATRIX_ACCESS_TOKEN) ou son mot de passe (MATRIX_PASSWORD)"}
	}
	if m.PickleKey == "" {
		return &Error{"MATRIX_PICKLE_KEY", "manquante : elle chiffre dans la base les clés de chiffrement de bout en bout du bot ; créez-la une fois (« openssl rand -hex 32 ») et gardez-la"}
	}
	if len(m.PickleKey) < MinPickleKeyLen {
		return &Error{"MATRIX_PICKLE_KEY", fmt.Sprintf("trop courte : au moins %d caractères, par exemple la sortie de « openssl rand -hex 32 »", MinPickleKeyLen)}
	}
	if v := get("MATRIX_RATE"); v != "" {
		// 12,5 as a French operator writes it, or 12.5.
		r, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
		if err != nil || r <= 0 || r > MaxMatrixRate {
			return &Error{"MATRIX_RATE", fmt.Sprintf("%q n'est pas un débit : un nombre de messages par seconde pour tout le bot, plus de 0 et au plus %d, celui que le serveur Matrix accorde au compte du bot (par exemple 10)", v, MaxMatrixRate)}
		}
		m.Rate = r
	}
	return nil
}
