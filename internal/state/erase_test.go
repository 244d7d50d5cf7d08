package state

import (
	"context"
	"testing"

	"github.com/relais-sante/relais/internal/dialog"
	"github.com/relais-sante/relais/internal/ids"
)

// An erasure request removes every draft naming the code, wherever the
// draft holds it (the chosen person, a note, in any case, after a line
// break), and nothing else: a draft of another person, one whose note holds
// the code inside a longer word, the bot's other keys.
func TestEraseCodeDeletesTheDraftsNamingIt(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, r := newKeyspace(t)
	s := ks.Drafts()
	chosen := draft("fiche", t0) // person K7M2QX
	noted := draft("fiche", t0)
	noted.Answers["beneficiary"] = dialog.Value{Code: "AAAAAA"}
	noted.Person = &dialog.Person{Code: "AAAAAA"}
	noted.Answers["note"] = dialog.Value{Text: "voir aussi\nk7m2qx (sa sœur)"}
	other := draft("fiche", t0)
	other.Answers["beneficiary"] = dialog.Value{Code: "BBBBBB"}
	other.Person = &dialog.Person{Code: "BBBBBB"}
	other.Answers["note"] = dialog.Value{Text: "dossier XK7M2QX et K7M2QXB"}
	for chat, d := range map[int64]Draft{1: chosen, 2: noted, 3: other} {
		if err := s.Save(ctx, ids.ChatID(chat), 7, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := begin(ctx, ks.Updates(), 1, 99); err != nil {
		t.Fatal(err)
	}

	n, err := ks.EraseCode(ctx, "K7m2Qx")
	if err != nil || n != 2 {
		t.Fatalf("erased %d keys (%v), want 2 drafts", n, err)
	}
	for chat, want := range map[int64]bool{1: false, 2: false, 3: true} {
		if _, ok, err := s.Load(ctx, ids.ChatID(chat), 7); err != nil || ok != want {
			t.Errorf("draft of chat %d there = %v (%v), want %v", chat, ok, err, want)
		}
	}
	members, err := r.Client.ZRange(ctx, r.Prefix+"drafts", 0, -1).Result()
	if err != nil || len(members) != 1 || members[0] != "3:7" {
		t.Fatalf("drafts index = %v (%v), want only 3:7", members, err)
	}
	if st, err := begin(ctx, ks.Updates(), 1, 100); err != nil || st != UpdateBusy {
		t.Fatalf("the chat's lease was touched: %v, %v", st, err)
	}
}

// A code joined to a word by an underscore or an accented letter is that
// code (codes are ASCII letters and digits): its draft is erased.
func TestEraseCodeFindsACodeJoinedByAnUnderscoreOrAnAccent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ks, _ := newKeyspace(t)
	s := ks.Drafts()
	for chat, note := range map[int64]string{1: "suivi_k7m2qx", 2: "vu éK7M2QX", 3: "dossier XK7M2QX"} {
		d := draft("fiche", t0)
		d.Answers["beneficiary"] = dialog.Value{Code: "AAAAAA"}
		d.Person = &dialog.Person{Code: "AAAAAA"}
		d.Answers["note"] = dialog.Value{Text: note}
		if err := s.Save(ctx, ids.ChatID(chat), 7, d); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := ks.EraseCode(ctx, "K7M2QX"); err != nil || n != 2 {
		t.Fatalf("erased %d keys (%v), want the 2 drafts naming the code", n, err)
	}
	if _, ok, err := s.Load(ctx, 3, 7); err != nil || !ok {
		t.Fatalf("the draft naming another word was erased: %v, %v", ok, err)
	}
}
