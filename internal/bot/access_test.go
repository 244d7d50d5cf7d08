package bot_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/ids"
	"github.com/relais-sante/relais/internal/indicators"
	"github.com/relais-sante/relais/internal/roles"
	"github.com/relais-sante/relais/internal/store"
	"github.com/relais-sante/relais/internal/telegramtest"
)

// tag is the callback-data fingerprint of a territory, computed here from
// its definition (sha256 of the scope key, 5 bytes in hex).
func tag(s indicators.Scope) string {
	sum := sha256.Sum256([]byte(s.Key()))
	return hex.EncodeToString(sum[:5])
}

// snapshot fingerprints every table a refused entry point must leave alone
// (a user's last activity aside: /equipe shows it).
func (h *harness) snapshot() map[string]string {
	h.t.Helper()
	out := map[string]string{}
	for _, table := range []string{"users", "mediators", "coordinators", "invitations", "beneficiaries", "sheets", "requests",
		"actions", "partners", "reviews", "review_deadlines", "exports"} {
		var sum string
		if err := h.db.SQL.QueryRow(context.Background(),
			`SELECT coalesce(md5(string_agg((to_jsonb(t) - 'last_seen_at')::text, '|' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&sum); err != nil {
			h.t.Fatalf("snapshot %s: %v", table, err)
		}
		out[table] = sum
	}
	return out
}

func (h *harness) sameSnapshot(before map[string]string, what string) {
	h.t.Helper()
	after := h.snapshot()
	for table, sum := range before {
		if after[table] != sum {
			h.t.Errorf("%s changed table %s", what, table)
		}
	}
}

const (
	refusedPress    = "Ce bouton n'est plus actif."
	refusedStranger = "Vous n'avez pas de compte sur Relais."
	refusedScope    = "Ce territoire ne fait pas partie de ceux que vous pouvez consulter."
	strangerText    = "Relais est réservé aux médiateurs santé et à leurs coordinateurs."
	mediatorsOnly   = "est réservée aux médiateurs santé."
	coordsOnly      = "est réservée aux coordinateurs."
)

var (
	mediatorRole = []roles.Role{roles.Mediator}
	coordRoles   = []roles.Role{roles.Coordinator, roles.Admin}
	allRoles     = []roles.Role{roles.Mediator, roles.Coordinator, roles.Admin}
)

// wantRoles is the role × entry-point matrix written out: the registry
// must say exactly this, so adding a role to an entry, removing one, or
// adding an entry without its line here fails.
var wantRoles = map[string][]roles.Role{
	"/fiche": mediatorRole, "/mesfiches": mediatorRole, "/suivis": mediatorRole, "/rappels": mediatorRole,
	"/action": mediatorRole, "/partenaires": mediatorRole, "/bilan": mediatorRole, "/meschiffres": mediatorRole,
	"/monbilan": mediatorRole, "/retour": mediatorRole, "/passer": mediatorRole, "/annuler": mediatorRole,
	"/datebilan": coordRoles, "/indicateurs": coordRoles, "/export": coordRoles, "/inviter": coordRoles,
	"/equipe": coordRoles, "/activite": coordRoles, "/rapport": coordRoles,
	"/resume": allRoles, "/digest": allRoles, "/lier": allRoles, "/aide": allRoles,
	"d": mediatorRole, "b": mediatorRole, "r": mediatorRole, "sp": mediatorRole, "rp": mediatorRole,
	"bl": mediatorRole, "m": mediatorRole, "ms": mediatorRole,
	"i": coordRoles, "is": coordRoles, "a": coordRoles, "e": coordRoles, "inv": coordRoles, "eq": coordRoles, "ra": coordRoles,
	"q": allRoles, "go": allRoles,
}

func TestTheRegistryIsTheRoleMatrix(t *testing.T) {
	t.Parallel()
	reg := bot.Registry()
	for entry, e := range reg {
		want, ok := wantRoles[entry]
		if !ok {
			t.Errorf("%s is in the registry but not in the role × entry-point matrix (add it here and its samples below)", entry)
			continue
		}
		if !slices.Equal(e.Roles, want) {
			t.Errorf("%s: roles %v, want %v", entry, e.Roles, want)
		}
	}
	for entry := range wantRoles {
		if _, ok := reg[entry]; !ok {
			t.Errorf("%s is in the matrix but not in the registry", entry)
		}
	}
}

// Every command and every button prefix of the registry, used by each kind
// of person who may not use it, is refused in French and changes nothing.
// Opening any of them to one more role, or letting indicators.Allowed say
// yes to another territory, fails here.
func TestEveryEntryPointRefusesWhoMayNotUseIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	awa := h.mediator(4801, "Awa", "59") // CCAS Roubaix, Nord
	h.seedSheets(4801, 2, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	var requestID int64
	if err := h.db.SQL.QueryRow(ctx, `SELECT min(id) FROM requests`).Scan(&requestID); err != nil {
		t.Fatal(err)
	}
	pdc := h.coordinator(4810, store.Invitation{Level: "departement", Departement: "62"})
	ccas := h.coordinator(4811, store.Invitation{Level: "structure", Departement: "59", Structure: "CCAS Roubaix"})
	admin := h.tg.NewUser(4812, "Admin").For(t)
	admin.Send("/start " + h.invite(store.Invitation{Role: roles.Admin}))
	admin.Expect("Bienvenue")
	stranger := h.tg.NewUser(4899, "Inconnu").For(t)
	stranger.Send("bonjour")
	strangerMsg := stranger.Expect(strangerText)

	before := h.snapshot()
	period := "20260101-20261231"
	region, nord := tag(indicators.Region("32")), tag(indicators.Departement("59"))

	// What each entry is tried with: a command as typed, a button's data.
	samples := map[string][]string{
		"/fiche": {"/fiche"}, "/mesfiches": {"/mesfiches"}, "/suivis": {"/suivis"}, "/rappels": {"/rappels"},
		"/action": {"/action"}, "/partenaires": {"/partenaires"}, "/bilan": {"/bilan"}, "/meschiffres": {"/meschiffres"},
		"/monbilan": {"/monbilan"}, "/datebilan": {"/datebilan 15/02/2027"}, "/indicateurs": {"/indicateurs"},
		"/export": {"/export"}, "/inviter": {"/inviter", "/inviter médiateur 59 CCAS Roubaix"}, "/equipe": {"/equipe"},
		"/activite": {"/activite"}, "/rapport": {"/rapport"}, "/resume": {"/resume non"}, "/digest": {"/digest non"}, "/lier": {"/lier"}, "/aide": {"/aide"},
		"d": {"d:w", "d:c:sexe:F"}, "b": {"b:new:bilan", "b:new:fiche", "b:done", "b:resume:x", "b:drop:x:fiche"},
		"r":  {fmt.Sprintf("r:%d:resolue", requestID), fmt.Sprintf("r:%d:non_resolue", requestID)},
		"sp": {"sp:1"}, "rp": {"rp:h:8", "rp:n:0"}, "bl": {"bl:2026"}, "m": {"m:y", "m:" + period},
		"ms": {"ms:" + period + ":" + nord + ":droits"},
		"eq": {"eq:x", "eq:D:4801"}, "inv": {"inv:m", "inv:m:59", "inv:c:r", "inv:a"},
		"i": {"i:y", "i:custom", "i:" + period + ":" + region, "i:y2024", "i:m202611:" + nord},
		"e": {"e:" + period + ":" + nord + ":csv", "e:y"}, "a": {"a:m", "a:m:" + nord}, "ra": {"ra:2025:pdf"},
		"is": {"is:" + period + ":" + region + ":droits"},
		"q":  {"q:fiches:" + period + ":" + region}, "go": {"go:fiche"},
	}

	type person struct {
		name string
		role roles.Role
		u    *telegramtest.User
	}
	people := []person{{"coordinateur département 62", roles.Coordinator, pdc}, {"coordinateur structure", roles.Coordinator, ccas},
		{"administrateur", roles.Admin, admin}, {"médiateur", roles.Mediator, awa}}
	reg := bot.Registry()
	entries := slices.Sorted(maps.Keys(reg))
	refusedPresses := 0
	for _, entry := range entries {
		e := reg[entry]
		if !e.Routed {
			continue // the words of a form: « Aucune saisie en cours. » to anyone without one
		}
		if len(samples[entry]) == 0 {
			t.Errorf("%s has no sample to try", entry)
		}
		for _, p := range people {
			if slices.Contains(e.Roles, p.role) {
				continue
			}
			for _, s := range samples[entry] {
				if strings.HasPrefix(entry, "/") {
					p.u.Send(s)
					want := coordsOnly
					if slices.Contains(e.Roles, roles.Mediator) {
						want = mediatorsOnly
					}
					if got := p.u.Expect("réservée").Text; !strings.Contains(got, want) {
						t.Errorf("%s %s: %q", p.name, s, got)
					}
					continue
				}
				refusedPresses++
				if got := pressData(t, p.u, p.u.Messages()[1].ID, s); got != refusedPress {
					t.Errorf("%s pressing %q: %q", p.name, s, got)
				}
			}
		}
		for _, s := range samples[entry] {
			if strings.HasPrefix(entry, "/") {
				stranger.Send(s)
				stranger.Expect(strangerText)
			} else if got := pressData(t, stranger, strangerMsg.ID, s); got != refusedStranger {
				t.Errorf("stranger pressing %q: %q", s, got)
			}
		}
	}
	// 16 mediator-only presses by the two coordinators and the admin, 17
	// coordinator presses by the mediator.
	if refusedPresses != 3*16+17 {
		t.Errorf("%d presses refused by role, want %d", refusedPresses, 3*16+17)
	}

	pdcP, ccasP := person{"département 62", roles.Coordinator, pdc}, person{"structure", roles.Coordinator, ccas}
	coordinatorsOfTheWrongKind := []person{pdcP, ccasP}

	// Territories: a coordinator sees their own only, whatever the button says.
	for _, c := range []struct {
		who  person
		data string
	}{
		{pdcP, "i:" + period + ":" + nord},
		{pdcP, "e:" + period + ":" + nord + ":csv"},
		{pdcP, "i:" + period + ":" + region},
		{ccasP, "i:" + period + ":" + region},
		{ccasP, "e:" + period + ":" + nord},
		{ccasP, "a:" + period + ":" + nord},
		{pdcP, "a:" + period + ":" + nord + ":v"},
		{ccasP, "i:" + period + ":" + tag(indicators.Scope{Kind: indicators.KindRural, Departement: "59"})},
		{pdcP, "is:" + period + ":" + nord + ":droits"},
	} {
		msg := c.who.u.Messages()[1]
		c.who.u.PressData(msg.ID, c.data)
		if got := c.who.u.Expect("territoire").Text; got != refusedScope {
			t.Errorf("coordinator (%s) pressing %q got %q", c.who.name, c.data, got)
		}
	}
	// The review deadline is the region's: other coordinators cannot move it.
	for _, p := range coordinatorsOfTheWrongKind {
		p.u.Send("/datebilan 15/02/2027")
		if got := p.u.Expect("date limite").Text; !strings.Contains(got, "seuls les coordinateurs régionaux peuvent la changer") {
			t.Errorf("coordinator (%s) /datebilan: %q", p.name, got)
		}
	}
	// The annual report is the region's: other coordinators cannot get it.
	for _, p := range coordinatorsOfTheWrongKind {
		p.u.Send("/rapport")
		if got := p.u.Expect("rapport annuel").Text; !strings.Contains(got, "seuls les coordinateurs régionaux peuvent le produire") {
			t.Errorf("coordinator (%s) /rapport: %q", p.name, got)
		}
		p.u.PressData(p.u.Messages()[1].ID, "ra:2025:docx")
		if got := p.u.Expect("rapport annuel").Text; !strings.Contains(got, "seuls les coordinateurs régionaux peuvent le produire") {
			t.Errorf("coordinator (%s) pressing ra:2025:docx: %q", p.name, got)
		}
	}

	h.sameSnapshot(before, "a refused entry point")
	// Each press refused by the registry is in the audit trail: 16 buttons
	// by 2 coordinators and the admin, 17 by the mediator (strangers'
	// presses are not).
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'refused' AND target LIKE 'button:%'`); n != 3*16+17 {
		t.Errorf("%d refused presses audited, want %d", n, 3*16+17)
	}
	// 9 territories, 2 annual reports.
	if n := h.count(`SELECT count(*) FROM audit WHERE action = 'refused' AND detail->>'reason' = 'territory'`); n != 11 {
		t.Errorf("%d territory refusals audited, want 11", n)
	}
	for _, id := range []int64{4801, 4810, 4811, 4812, 4899} {
		if _, exists, err := h.drafts.Load(ctx, ids.ChatID(id), ids.TelegramID(id)); err != nil || exists {
			t.Errorf("user %d has a draft after refusals (err %v)", id, err)
		}
	}
}

// Malformed or forged callback data never crashes a handler: each press is
// answered, and nothing changes.
func TestForgedPressesAreAnsweredAndChangeNothing(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(4901, "Awa", "59")
	region := h.coordinator(4910, store.Invitation{Level: "region"})
	before := h.snapshot()
	forged := []string{"b", "b:", "d", "d:", "r", "r:x", "r:1:2:3:4", "rp", "rp:h", "rp:h:99", "rp:x:1", "bl", "bl:x",
		"i", "m", "e:", "zz:1", ":", "::::::::", "d:c:sexe:F:x:y:z:w", strings.Repeat("a", 65), "\xff\xfe", "b:new:\x00"}
	for _, u := range []*telegramtest.User{awa, region} {
		msg := u.Messages()[1]
		for i, data := range forged {
			u.PressData(msg.ID, data)
			waitUntil(t, func() bool { return len(u.CallbackAnswers()) == i+1 }, fmt.Sprintf("an answer to %q", data))
			if got := u.CallbackAnswers()[i].Text; got != refusedPress && got != "Cette saisie est déjà terminée ou abandonnée." {
				t.Errorf("user %d pressing %q: answered %q", u.ID(), data, got)
			}
		}
	}
	h.sameSnapshot(before, "a forged press")
	// The bot still works after all that.
	region.Send("/aide")
	region.Expect("Ce que vous pouvez faire")
}

// Relais works in private chats only: in a group it answers nothing, opens
// no form, sends no file, and when added to one it says so once and leaves.
func TestGroupsGetNothingAndTheBotLeaves(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	awa := h.mediator(5001, "Awa", "59")
	h.seedSheets(5001, 2, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	claire := h.coordinator(5010, store.Invitation{Level: "region"})
	bot := "@" + h.tg.Bot().Username()
	privateBefore := len(awa.Messages()) + len(claire.Messages())
	before := h.snapshot()

	// A group the bot was added to before it learnt to leave.
	old := h.tg.NewGroup(-1001, "Équipe médiation", true, true)
	awa.SendIn(old, "/mesfiches"+bot)
	awa.SendIn(old, "/fiche"+bot)
	awa.SendIn(old, "/suivis")
	claire.SendIn(old, "/export"+bot)
	claire.SendIn(old, "/indicateurs 01/01/2026 31/12/2026")
	old.PromoteBot(claire) // the next update of that chat, handled after the others
	waitUntil(t, func() bool { return !old.IsBotMember() }, "the bot leaves the old group")

	// A new group: the bot is added, says why it leaves, and leaves.
	fresh := h.tg.NewGroup(-1002, "Coordination", false, false)
	fresh.AddBot(awa)
	waitUntil(t, func() bool { return !fresh.IsBotMember() }, "the bot leaves the new group")

	for _, g := range []*telegramtest.Group{old, fresh} {
		msgs := g.BotMessages()
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, "Relais fonctionne uniquement en conversation privée") || len(msgs[0].Buttons) != 0 {
			t.Errorf("group %d got %+v", g.ID(), msgs)
		}
	}
	if n := len(awa.Messages()) + len(claire.Messages()); n != privateBefore {
		t.Errorf("the private chats got %d new messages from group commands", n-privateBefore)
	}
	h.sameSnapshot(before, "a group message")
	if _, exists, err := h.drafts.Load(context.Background(), -1001, 5001); err != nil || exists {
		t.Errorf("a form was opened in the group (err %v)", err)
	}
}

// pressData presses forged data on message msgID and returns the bot's
// answer to that very press.
func pressData(t *testing.T, u *telegramtest.User, msgID int, data string) string {
	t.Helper()
	n := len(u.CallbackAnswers())
	u.PressData(msgID, data)
	waitUntil(t, func() bool { return len(u.CallbackAnswers()) > n }, "an answer to "+data)
	return u.CallbackAnswers()[n].Text
}

func waitUntil(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
