package telegram_test

import (
	"testing"

	"github.com/relais-sante/relais/internal/testenv"
)

// The replicas' tests share Telegram's rate through the real Redis.
func TestMain(m *testing.M) { testenv.Main(m) }
