package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/testenv"
)

// One users row answers for both accounts of a person; reminders go to the
// chat they wrote from last; a second account on a messenger is refused by
// the store itself (the bot gives no code to a linked person, so only the
// store can be asked).
func TestOneUserOnBothMessengers(t *testing.T) {
	t.Parallel()
	db := testenv.NewDB(t)
	st, ctx := db.Store, context.Background()
	awa := mediator(t, st, 7101, "59")
	const tchap, tchap2 = ids.TelegramID(ids.FirstMatrix + 7101), ids.TelegramID(ids.FirstMatrix + 7102)

	code, err := st.CreateLinkCode(ctx, 7101, now)
	if err != nil {
		t.Fatal(err)
	}
	linked, err := st.RedeemLinkCode(ctx, code, tchap, ids.ChatID(tchap), now)
	if err != nil {
		t.Fatal(err)
	}
	viaTchap, err := st.UserByTelegramID(ctx, tchap)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*store.User{linked, viaTchap} {
		if u.TelegramID != 7101 || u.Linked != tchap || u.ChatID != ids.ChatID(tchap) || u.Mediator == nil || u.Mediator.ID != awa.Mediator.ID {
			t.Fatalf("linked user: id %d, linked %d, chat %d, mediator %+v", u.TelegramID, u.Linked, u.ChatID, u.Mediator)
		}
	}

	// Writing from Telegram again, within the hour: the chat moves back.
	if !viaTchap.NeedsTouchFrom(7101, now.Add(time.Minute)) || viaTchap.NeedsTouchFrom(ids.ChatID(tchap), now.Add(time.Minute)) {
		t.Fatal("NeedsTouchFrom tells a change of chat from the same chat wrong")
	}
	if err := st.Touch(ctx, 7101, 7101, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if u, err := st.UserByTelegramID(ctx, tchap); err != nil || u.ChatID != 7101 {
		t.Fatalf("after writing on Telegram: %+v %v", u, err)
	}

	// A second Matrix account for the same person.
	code, err = st.CreateLinkCode(ctx, 7101, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemLinkCode(ctx, code, tchap2, ids.ChatID(tchap2), now); !errors.Is(err, store.ErrLinkAlreadyLinked) {
		t.Fatalf("second Matrix account: %v, want ErrLinkAlreadyLinked", err)
	}
	// A linked account cannot register with an invitation either.
	inv, err := st.CreateInvitation(ctx, store.Invitation{Role: roles.Mediator, Departement: "59", ExpiresAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeemInvitation(ctx, inv, tchap, ids.ChatID(tchap), "awa", now); !errors.Is(err, store.ErrAlreadyRegistered) {
		t.Fatalf("invitation redeemed by a linked account: %v, want ErrAlreadyRegistered", err)
	}
	members, err := st.ListUsers(ctx, store.Coordinator{Level: "region"})
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != 1 || members[0].TelegramID != 7101 || members[0].Linked != tchap {
		t.Fatalf("ListUsers: %+v", members)
	}
}
