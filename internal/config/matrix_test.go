package config

import (
	"strings"
	"testing"
)

func matrixEnv(extra map[string]string) map[string]string {
	m := map[string]string{
		"MATRIX_HOMESERVER_URL": "https://matrix.example.fr",
		"MATRIX_USER_ID":        "@relais:example.fr",
		"MATRIX_ACCESS_TOKEN":   "syt_secret",
		"MATRIX_PICKLE_KEY":     strings.Repeat("k", 32),
	}
	for k, v := range extra {
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	return m
}

func TestMatrixAloneServes(t *testing.T) {
	c, err := FromEnv(env(matrixEnv(nil)))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Matrix.Enabled() || c.Matrix.UserID != "@relais:example.fr" || c.Matrix.AccessToken != "syt_secret" || c.TelegramToken != "" {
		t.Fatalf("matrix = %+v", c.Matrix)
	}
	if err := c.RequireToken(); err != nil {
		t.Fatalf("Matrix without Telegram must serve: %v", err)
	}
	if s := c.Matrix.String(); strings.Contains(s, "syt_secret") || strings.Contains(s, "kkkk") {
		t.Fatalf("String shows a secret: %s", s)
	}
}

func TestMatrixWithPasswordAndTelegram(t *testing.T) {
	c, err := FromEnv(env(matrixEnv(map[string]string{"MATRIX_ACCESS_TOKEN": "", "MATRIX_PASSWORD": "mot de passe", "TELEGRAM_TOKEN": "123:abc"})))
	if err != nil {
		t.Fatal(err)
	}
	if c.Matrix.Password != "mot de passe" || c.TelegramToken != "123:abc" || c.RequireToken() != nil {
		t.Fatalf("config = %+v", c)
	}
}

func TestNeitherTelegramNorMatrixRefusesToServe(t *testing.T) {
	c, err := FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Matrix.Enabled() {
		t.Fatal("Matrix enabled without its variables")
	}
	err = c.RequireToken()
	if err == nil || !strings.Contains(err.Error(), "MATRIX_HOMESERVER_URL") {
		t.Fatalf("got %v, want the refusal naming both ways", err)
	}
}

func TestHalfSetMatrixNamesWhatIsMissing(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"user without homeserver", map[string]string{"MATRIX_USER_ID": "@relais:example.fr"},
			"MATRIX_HOMESERVER_URL : manquant alors que MATRIX_USER_ID est défini"},
		{"token without homeserver", map[string]string{"MATRIX_ACCESS_TOKEN": "syt"},
			"MATRIX_HOMESERVER_URL : manquant alors que MATRIX_ACCESS_TOKEN est défini"},
		{"password without homeserver", map[string]string{"MATRIX_PASSWORD": "x"},
			"MATRIX_HOMESERVER_URL : manquant alors que MATRIX_PASSWORD est défini"},
		{"key without homeserver", map[string]string{"MATRIX_PICKLE_KEY": "x"},
			"MATRIX_HOMESERVER_URL : manquant alors que MATRIX_PICKLE_KEY est défini"},
		{"homeserver not a URL", matrixEnv(map[string]string{"MATRIX_HOMESERVER_URL": "matrix.example.fr"}),
			"MATRIX_HOMESERVER_URL : n'est pas une adresse http(s)://"},
		{"no user", matrixEnv(map[string]string{"MATRIX_USER_ID": ""}),
			"MATRIX_USER_ID : manquant"},
		{"user not a Matrix id", matrixEnv(map[string]string{"MATRIX_USER_ID": "relais"}),
			`MATRIX_USER_ID : "relais" n'est pas un identifiant Matrix`},
		{"user without server", matrixEnv(map[string]string{"MATRIX_USER_ID": "@relais:"}),
			`MATRIX_USER_ID : "@relais:" n'est pas un identifiant Matrix`},
		{"neither token nor password", matrixEnv(map[string]string{"MATRIX_ACCESS_TOKEN": ""}),
			"MATRIX_ACCESS_TOKEN : manquant : donnez le jeton d'accès du compte du bot (MATRIX_ACCESS_TOKEN) ou son mot de passe (MATRIX_PASSWORD)"},
		{"no pickle key", matrixEnv(map[string]string{"MATRIX_PICKLE_KEY": ""}),
			"MATRIX_PICKLE_KEY : manquante"},
		{"short pickle key", matrixEnv(map[string]string{"MATRIX_PICKLE_KEY": strings.Repeat("k", 31)}),
			"MATRIX_PICKLE_KEY : trop courte : au moins 32 caractères"},
		{"rate without homeserver", map[string]string{"MATRIX_RATE": "20"},
			"MATRIX_HOMESERVER_URL : manquant alors que MATRIX_RATE est défini"},
		{"rate not a number", matrixEnv(map[string]string{"MATRIX_RATE": "vite"}),
			`MATRIX_RATE : "vite" n'est pas un débit : un nombre de messages par seconde pour tout le bot, plus de 0 et au plus 1000`},
		{"rate zero", matrixEnv(map[string]string{"MATRIX_RATE": "0"}),
			`MATRIX_RATE : "0" n'est pas un débit`},
		{"rate negative", matrixEnv(map[string]string{"MATRIX_RATE": "-5"}),
			`MATRIX_RATE : "-5" n'est pas un débit`},
		{"rate over the bound", matrixEnv(map[string]string{"MATRIX_RATE": "1000.5"}),
			`MATRIX_RATE : "1000.5" n'est pas un débit`},
	} {
		_, err := FromEnv(env(tc.env))
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error starting %q", tc.name, err, tc.want)
		}
	}
}

// MATRIX_RATE is what the homeserver grants the bot: unset, the transport's
// default (0 here); French decimals read as such; the bound is inclusive.
// The start line says the rate granted, when one is.
func TestMatrixRate(t *testing.T) {
	const account = "matrix=@relais:example.fr@https://matrix.example.fr"
	for _, tc := range []struct {
		value string
		want  float64
		shown string
	}{
		{"", 0, account},
		{"25", 25, account + " rate=25/s"},
		{" 12,5 ", 12.5, account + " rate=12.5/s"},
		{"0.2", 0.2, account + " rate=0.2/s"},
		{"1000", 1000, account + " rate=1000/s"},
	} {
		c, err := FromEnv(env(matrixEnv(map[string]string{"MATRIX_RATE": tc.value})))
		if err != nil {
			t.Fatalf("MATRIX_RATE=%q: %v", tc.value, err)
		}
		if c.Matrix.Rate != tc.want {
			t.Errorf("MATRIX_RATE=%q: rate %v, want %v", tc.value, c.Matrix.Rate, tc.want)
		}
		if s := c.Matrix.String(); s != tc.shown {
			t.Errorf("MATRIX_RATE=%q: String() = %q, want %q", tc.value, s, tc.shown)
		}
	}
}
