package bot_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

// Redis stops mid-conversation: the mediator is told the service is
// unavailable, the bot keeps running, and once Redis is back the same form
// goes on from where it was and is saved, without a restart.
func TestRedisOutageMidConversation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	opt, err := redis.ParseURL(testenv.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	proxy := testenv.NewProxy(t, opt.Addr)
	opt.Addr = proxy.Addr()
	opt.MaxRetries = -1
	rdb := redis.NewClient(opt)
	t.Cleanup(func() {
		if err := rdb.Close(); err != nil {
			t.Errorf("close Redis client: %v", err)
		}
	})
	h.drafts = state.New(rdb, h.rdb.Prefix).Drafts()
	h.updates = state.New(rdb, h.rdb.Prefix).Updates()
	h.restart()

	u := h.mediator(2201, "Awa", "62")
	startSheetToAge(u)
	h.waitDraftAt(2201, "age")

	proxy.Set(false)
	u.Send("34")
	u.Expect("Service momentanément indisponible, réessayez dans un instant.")
	u.Send("35")
	u.Expect("Service momentanément indisponible, réessayez dans un instant.")
	proxy.Set(true)

	u.Send("34")
	u.Expect("quartier prioritaire")
	fillRestAfterAge(u)
	u.Expect("Fiche n°")
	var age int
	if err := h.db.SQL.QueryRow(context.Background(), `SELECT age FROM sheets`).Scan(&age); err != nil || age != 34 {
		t.Fatalf("saved age = %d, %v", age, err)
	}
}

// PostgreSQL stops mid-conversation: the same message, the draft kept in
// Redis, and the form goes on once PostgreSQL is back.
func TestPostgreSQLOutageMidConversation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	u := h.mediator(2202, "Awa", "62")
	startSheetToAge(u)
	h.waitDraftAt(2202, "age")

	h.setDatabaseUp(false)
	u.Send("34")
	u.Expect("Service momentanément indisponible, réessayez dans un instant.")
	h.setDatabaseUp(true)

	u.Send("34")
	u.Expect("quartier prioritaire")
	fillRestAfterAge(u)
	u.Expect("Fiche n°")
	if n := h.count(`SELECT count(*) FROM sheets WHERE age = 34`); n != 1 {
		t.Fatalf("sheets = %d, want 1", n)
	}
}

// fillRestAfterAge answers the fiche from the QPV question to the save.
func fillRestAfterAge(u *telegramtest.User) {
	u.Press("Oui") // QPV
	u.Press("RSA")
	u.Press("Aller vers")
	u.Press("Accompagné")
	u.Expect("protection sociale")
	u.Press("Oui")
	u.Press("Accès aux droits")
	u.Press("Complémentaire Santé Solidaire")
	u.Press("En cours")
	u.Press("Dans 1 semaine")
	u.Expect("Ajouter une autre demande")
	u.Press("Non")
	u.Press("Mobilité")
	u.Press("Valider")
	u.Expect("Une note")
	u.Send("/passer")
	u.Expect("Récapitulatif")
	u.Press("✅ Enregistrer")
}

// waitDraftAt waits until the user's draft is saved at step (the handler
// saves it after showing the question) and their chat is free.
// waitChatFree waits until no update of the chat is being handled.
// chatBusy says whether the bot still holds chat id's lease (an update
// being handled).
func (h *harness) chatBusy(id int64) bool {
	return h.rdb.Client.Exists(context.Background(), h.rdb.Prefix+"chat:"+strconv.FormatInt(id, 10)).Val() != 0
}

func (h *harness) waitChatFree(id int64) {
	h.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); h.chatBusy(id); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatalf("chat %d still busy", id)
		}
	}
}

func (h *harness) waitDraftAt(id int64, step string) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, ok, err := h.drafts.Load(context.Background(), ids.ChatID(id), ids.TelegramID(id))
		if err == nil && ok && st.Pos.Step == step && !h.chatBusy(id) {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("draft of %d not at %q: %+v %v %v", id, step, st.Pos, ok, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
