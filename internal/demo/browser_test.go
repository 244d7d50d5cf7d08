package demo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relais-sante/relais/internal/frtext"

	"github.com/chromedp/chromedp"

	"github.com/relais-sante/relais/dialogs"
	"github.com/relais-sante/relais/internal/bot"
	"github.com/relais-sante/relais/internal/demo"
	"github.com/relais-sante/relais/internal/forms"
	"github.com/relais-sante/relais/internal/reminders"
	"github.com/relais-sante/relais/internal/state"
	"github.com/relais-sante/relais/internal/telegram"
	"github.com/relais-sante/relais/internal/telegramtest"
	"github.com/relais-sante/relais/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const chromiumPath = "/usr/bin/chromium"

var quiet = slog.New(slog.DiscardHandler)

// startDemo runs demo.Run as `relais demo` does — fake Bot API, seeding, the
// real bot polling it over HTTP — on a test database and Redis prefix, with
// the web chat on a free loopback port. It returns the chat's URL and a stop
// function (also called at the test's end); starting again on the same
// database and Redis is a restart.
func startDemo(t *testing.T, db *testenv.DB, rdb *testenv.Redis) (url string, stop func()) {
	t.Helper()
	d := runDemo(t, db, rdb)
	return d.url, d.stop
}

// demoRun is a running demo: its web chat, a way to stop it, and its
// reminders job, run on demand (remind) rather than every minute.
type demoRun struct {
	url    string
	stop   func()
	remind func()
}

func runDemo(t *testing.T, db *testenv.DB, rdb *testenv.Redis) demoRun {
	t.Helper()
	fs, err := forms.LoadFS(dialogs.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	scheds := make(chan *reminders.Scheduler, 1)
	done := make(chan error, 1)
	go func() {
		done <- demo.Run(ctx, demo.Options{
			Registry:    db.Store,
			Redis:       rdb.Client,
			RedisPrefix: rdb.Prefix,
			Log:         quiet,
			// The browser clicks faster than a person: flood limits would
			// only slow the test down (they are tested in telegramtest).
			FakeOptions: []telegramtest.Option{telegramtest.WithoutRateLimits()},
			Serve: func(ctx context.Context, tg demo.Telegram, web http.Handler) error {
				// The same wiring as `relais serve` (cmd/relais/serve.go).
				api, err := telegram.Connect(ctx, tg.Token, tg.Endpoint)
				if err != nil {
					return err
				}
				sender := telegram.NewSender(api, telegram.SenderOptions{Unlimited: true})
				b := bot.New(bot.Options{
					Store:        db.Store,
					Drafts:       state.New(rdb.Client, rdb.Prefix).Drafts(),
					Updates:      state.New(rdb.Client, rdb.Prefix).Updates(),
					ReminderHour: 9,
					Out:          sender,
					Location:     paris,
					Username:     api.Self.UserName,
					Forms:        bot.Forms(fs),
					Log:          quiet,
				})
				if err := sender.SetCommands(ctx, 0, bot.Commands()); err != nil {
					return err
				}
				scheds <- reminders.New(reminders.Options{
					Store: db.Store, Drafts: state.New(rdb.Client, rdb.Prefix).Drafts(), Out: sender,
					Location: paris, Hour: 9, Log: quiet, Forms: fs,
				})
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				srv := &http.Server{Handler: web, ReadHeaderTimeout: 5 * time.Second}
				served := make(chan error, 1)
				go func() { served <- srv.Serve(ln) }()
				urls <- "http://" + ln.Addr().String() + "/"
				err = telegram.Poll(ctx, api, b.HandleEvent)
				if errors.Is(err, context.Canceled) {
					err = nil
				}
				if cerr := srv.Close(); cerr != nil {
					err = errors.Join(err, fmt.Errorf("close the demo page's server: %w", cerr))
				}
				// Close ends Serve with ErrServerClosed: any other end is news
				if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
					err = errors.Join(err, fmt.Errorf("serve the demo page: %w", serr))
				}
				return err
			},
		})
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("demo.Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	select {
	case url := <-urls:
		sched := <-scheds
		remind := func() {
			t.Helper()
			// Late today: every mediator's reminder hour has come.
			now := time.Now().In(paris)
			late := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, paris)
			if err := sched.Job().Run(ctx, late); err != nil {
				t.Fatalf("reminders: %v", err)
			}
		}
		return demoRun{url: url, stop: stop, remind: remind}
	case err := <-done:
		t.Fatalf("demo did not start: %v", err)
	case <-time.After(time.Until(waitLimit(t))):
		t.Fatal("demo did not start before the test's deadline")
	}
	return demoRun{}
}

// browser starts headless Chromium with a fresh profile and a phone-sized window.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		// .ci/run installs Chromium and sets RELAIS_CI: there, a missing
		// browser is a broken environment, not a reason to print ok.
		if os.Getenv("RELAIS_CI") != "" {
			t.Fatalf("Chromium is not installed at %s and RELAIS_CI is set: .ci/run should have installed it (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("browser test skipped: Chromium is not installed at %s (on Debian: apt-get install chromium)", chromiumPath)
	}
	profile := t.TempDir()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(412, 860),
	)
	ctx, cancel := chromedp.NewContext(actx)
	// Registered after t.TempDir, so Chromium is gone before its profile is removed.
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// waitLimit is when the waits of test t give up: shortly before the
// test binary's own deadline (go test -timeout, 20 minutes in make test).
// A slow or busy machine is waited for as long as the run allows, never
// for a guess of how long a step takes, and a step that never comes still
// fails with the chat on screen rather than with go test's panic. Without
// a deadline (-timeout 0), ten minutes from now.
func waitLimit(t *testing.T) time.Time {
	deadline, ok := t.Deadline()
	if !ok {
		return time.Now().Add(10 * time.Minute)
	}
	// The margin leaves time to read the screen and stop the demo.
	return deadline.Add(-min(time.Minute, time.Until(deadline)/10))
}

// page drives the web chat the way a person would: it reads bubbles and
// clicks buttons. Each action remembers what was on screen just before it,
// so expect and press only look at what the bot sent or edited since.
type page struct {
	t     *testing.T
	ctx   context.Context
	until time.Time // when a step gives up (waitLimit)
	mark  int       // highest drawing number (data-seq) before the last action
}

func newPage(t *testing.T, ctx context.Context) *page {
	return &page{t: t, ctx: ctx, until: waitLimit(t)}
}

func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithDeadline(p.ctx, p.until)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v\n--- chat on screen ---\n%s", what, err, p.screenDump())
	}
}

// value runs an action that returns a value, failing the test with the chat
// on screen if it cannot.
func value[T any](p *page, what string, action chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithDeadline(p.ctx, p.until)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		p.t.Fatalf("%s: %v\n--- chat on screen ---\n%s", what, err, p.screenDump())
	}
	return v
}

func (p *page) screenText() string {
	p.t.Helper()
	s, err := p.readScreen(p.until)
	if err != nil {
		p.t.Fatalf("read the chat on screen: %v", err)
	}
	return s
}

// screenDump is the chat on screen for a failure's message: a read that
// fails too is said there, not raised over the first failure. A step that
// failed has used its time up to waitLimit: the dump has half of what is
// left before the test's deadline (the other half stops the demo).
func (p *page) screenDump() string {
	until := time.Now().Add(time.Minute)
	if deadline, ok := p.t.Deadline(); ok {
		until = time.Now().Add(time.Until(deadline) / 2)
	}
	s, err := p.readScreen(until)
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}

func (p *page) readScreen(until time.Time) (string, error) {
	ctx, cancel := context.WithDeadline(p.ctx, until)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#chat").innerText`))
}

func (p *page) remember() {
	p.t.Helper()
	p.mark = value(p, "read the chat", chromedp.Evaluate[int](
		`Math.max(0, ...[...document.querySelectorAll("#chat .row")].map(r => Number(r.dataset.seq)))`))
}

// poll waits, in the page, for js to be truthy; the step's context (up to
// waitLimit) bounds the wait, not a timeout of its own.
func poll[T any](js string) chromedp.Action[T] {
	return chromedp.Poll[T](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(0))
}

// expect waits for a bot message drawn since the last action whose text or
// buttons contain substr, and returns what it shows.
func (p *page) expect(substr string) string {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		const rows = [...document.querySelectorAll("#chat .row.in")].filter(r => Number(r.dataset.seq) > %d);
		const hit = rows.reverse().find(r => r.innerText.includes(%q));
		return hit ? hit.innerText : "";
	})()`, p.mark, substr)
	return value(p, fmt.Sprintf("expect a bot message containing %q", substr), poll[string](js))
}

// press clicks, with the mouse, the button labelled label under the newest
// bot message drawn since the last action that has one.
func (p *page) press(label string) {
	p.t.Helper()
	js := fmt.Sprintf(`(() => {
		document.querySelectorAll("[data-pick]").forEach(b => b.removeAttribute("data-pick"));
		const rows = [...document.querySelectorAll("#chat .row.in")].filter(r => Number(r.dataset.seq) > %d).reverse();
		for (const r of rows) {
			const b = [...r.querySelectorAll(".kb button")].find(b => b.textContent === %q);
			if (b) { b.setAttribute("data-pick", "1"); return true; }
		}
		return false;
	})()`, p.mark, label)
	value(p, fmt.Sprintf("find the button %q", label), poll[bool](js))
	p.remember()
	p.do(fmt.Sprintf("press %q", label), chromedp.Click(chromedp.CSS(`[data-pick="1"]`)))
}

// send types text in the message box and taps the send button.
func (p *page) send(text string) {
	p.t.Helper()
	p.remember()
	p.do(fmt.Sprintf("type %q", text),
		chromedp.SendKeys(chromedp.ID("input"), text),
		chromedp.Click(chromedp.ID("sendbtn")),
		poll[chromedp.Void](`document.querySelector("#input").value === ""`),
	)
}

// playAs switches the chat to a persona by its tab.
func (p *page) playAs(name string) {
	p.t.Helper()
	p.do("switch to "+name,
		chromedp.Click(chromedp.Search(fmt.Sprintf(`//nav[@id="personas"]/button[span[@class="pname"]=%q]`, name))),
		poll[chromedp.Void](fmt.Sprintf(`document.querySelector('#personas [aria-selected="true"] .pname').textContent === %q && document.querySelector("#status").textContent.includes(%q)`, name, name)),
	)
	p.mark = 0
}

func (p *page) screenshot(name string) string {
	p.t.Helper()
	png := value(p, "screenshot", chromedp.CaptureScreenshot())
	f, err := os.CreateTemp("", "relais-demo-"+name+"-*.png")
	if err != nil {
		p.t.Fatal(err)
	}
	if _, err := f.Write(png); err != nil {
		p.t.Fatal(errors.Join(err, f.Close()))
	}
	if err := f.Close(); err != nil { // a written file: its Close may lose the bytes
		p.t.Fatal(err)
	}
	return f.Name()
}

func TestBrowserMediatorFillsASheetCoordinatorAsksIndicators(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	db := testenv.NewDB(t)
	url, _ := startDemo(t, db, testenv.NewRedis(t))
	p := newPage(t, ctx)

	p.do("open the chat", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("input")))
	// The first tab is the Nord mediator, registered by the seeding through /start.
	p.playAs("Awa")
	p.expect("Bienvenue sur Relais")

	p.send("/fiche")
	p.expect("Date de l'accompagnement")
	p.press("Aujourd'hui")
	p.press("Nouvelle personne")
	p.press("Femme")
	p.expect("Âge de la personne")
	p.send("34")
	p.press("Oui") // lives in a QPV
	p.press("RSA")
	p.press("Aller vers")
	p.press("Accompagné")
	p.expect("protection sociale")
	p.press("Oui")
	p.press("Accès aux droits")
	p.press("Complémentaire Santé Solidaire")
	p.press("En cours")
	p.press("Dans 1 semaine")
	p.expect("Ajouter une autre demande")
	p.press("Oui")
	p.press("Accès aux soins")
	p.press("Dépistage organisé")
	p.press("Résolue")
	p.expect("Ajouter une autre demande")
	p.press("Non")
	p.press("Mobilité")
	p.expect("✅ Mobilité")
	p.press("Barrière linguistique")
	p.expect("✅ Barrière linguistique")
	p.press("Valider")
	p.expect("Une note")
	p.send("Orientée vers la PMI du quartier.")
	summary := p.expect("Récapitulatif")
	for _, want := range []string{"Femme", "34 ans", "Complémentaire Santé Solidaire", "Dépistage organisé"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	p.press("✅ Enregistrer")
	saved := p.expect("Fiche n°")
	t.Logf("screenshot of the chat after the sheet was saved: %s", p.screenshot("fiche"))
	if !strings.Contains(saved, "enregistrée") {
		t.Errorf("confirmation = %q", saved)
	}
	var sheets, thisYear int
	if err := db.SQL.QueryRow(context.Background(), `
		SELECT count(*) FILTER (WHERE source = 'bot'), count(*) FILTER (WHERE date >= date_trunc('year', now() AT TIME ZONE 'Europe/Paris'))
		FROM sheets`).Scan(&sheets, &thisYear); err != nil {
		t.Fatal(err)
	}
	if sheets != 1 {
		t.Fatalf("sheets saved through the bot in PostgreSQL = %d, want 1", sheets)
	}

	// The coordinator has a chat of their own.
	p.playAs("Claire")
	p.expect("coordinat")
	if text := p.screenText(); strings.Contains(text, "Fiche n°") {
		t.Fatalf("the coordinator's chat shows the mediator's messages:\n%s", text)
	}
	p.send("/indicateurs")
	p.expect("quelle période")
	p.press("Cette année")
	p.expect("Quel territoire")
	p.press("Hauts-de-France")
	// The synthetic year's sheets of this year, and Awa's.
	figures := p.expect("Fiches : " + frtext.Number(thisYear))
	if !strings.Contains(figures, "Nord") {
		t.Errorf("regional figures do not show the Nord:\n%s", figures)
	}
	p.press("Droits") // a section with its chart
	p.expect("Accès aux droits – Hauts-de-France")
	chart := value(p, "wait for the chart", poll[[]int](`(() => {
		const img = [...document.querySelectorAll("#chat .row.in img.photo")].pop();
		return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;
	})()`))
	if chart[0] < 200 || chart[1] < 100 {
		t.Errorf("chart is %dx%d pixels", chart[0], chart[1])
	}
	t.Logf("screenshot of the coordinator's indicators: %s", p.screenshot("indicateurs"))

	// Documents come as download links that serve the file. The export
	// is kept small (Awa's structure, yesterday and today: the sheet just
	// saved) so that the test waits for a file, not for a year of the
	// region written under -race.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(paris)
	p.send(fmt.Sprintf("/export %s %s", today.AddDate(0, 0, -1).Format("02/01/2006"), today.Format("02/01/2006")))
	p.expect("Quel territoire")
	p.press("CCAS Roubaix (Nord)")
	href := value(p, "wait for the XLSX link", poll[string](`(() => {
		const a = [...document.querySelectorAll("#chat .row.in a.doc")].pop();
		return a && a.download.endsWith(".xlsx") ? a.href : "";
	})()`))
	res, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(body, []byte("PK")) {
		t.Fatalf("download = %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Disposition"), len(body))
	}
}

// rgb parses a computed CSS colour, "rgb(r, g, b)" (opaque only).
func rgb(t *testing.T, css string) [3]float64 {
	t.Helper()
	var r, g, b int
	if _, err := fmt.Sscanf(css, "rgb(%d, %d, %d)", &r, &g, &b); err != nil {
		t.Fatalf("colour %q is not an opaque rgb(): %v", css, err)
	}
	return [3]float64{float64(r) / 255, float64(g) / 255, float64(b) / 255}
}

// TestBrowserDemoShowsALivingRegion opens a fresh demo on a 420 px wide
// phone: the page says its figures are made up, the persona tabs read
// whole, the coordinator's first /indicateurs has the synthetic year's
// figures and a chart, inline buttons read at 4.5:1, Awa's reminder lists
// her five due follow-ups, no chat shows an invitation code, and after a
// restart every chat shows the same history.
func TestBrowserDemoShowsALivingRegion(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	db := testenv.NewDB(t)
	rdb := testenv.NewRedis(t)
	d := runDemo(t, db, rdb)
	p := newPage(t, ctx)
	p.do("open the chat on a 420 px wide screen",
		chromedp.EmulateViewport(420, 860),
		chromedp.Navigate(d.url), chromedp.WaitVisible(chromedp.ID("input")))

	notice := value(p, "read the notice", poll[string](`(() => { const n = document.querySelector("#notice"); return n && !n.hidden ? n.innerText : ""; })()`))
	if !strings.Contains(notice, "chiffres fictifs") {
		t.Errorf("notice = %q", notice)
	}
	clipped := value(p, "measure the tabs", chromedp.Evaluate[[]string](`(() => {
		const out = [];
		const nav = document.querySelector("#personas");
		if (nav.scrollWidth > nav.clientWidth) out.push("the tab bar scrolls");
		for (const b of nav.querySelectorAll("button")) {
			if (b.scrollHeight > b.clientHeight || b.scrollWidth > b.clientWidth) out.push(b.innerText + ": tab overflows");
			for (const s of b.querySelectorAll("span")) {
				if (s.scrollWidth > s.clientWidth) out.push(s.innerText + ": cut");
			}
		}
		return out;
	})()`))
	if width := value(p, "window width", chromedp.Evaluate[int](`window.innerWidth`)); width != 420 || len(clipped) > 0 {
		t.Errorf("at %d px, persona tabs clipped: %q", width, clipped)
	}

	// The coordinator's first figures, from the button most would press.
	p.playAs("Claire")
	p.expect("Bienvenue sur Relais")
	p.send("/indicateurs")
	p.press("Cette année")
	p.press("Hauts-de-France")
	var thisYear int
	if err := db.SQL.QueryRow(context.Background(), `
		SELECT count(*) FROM sheets WHERE date >= date_trunc('year', now() AT TIME ZONE 'Europe/Paris')`).Scan(&thisYear); err != nil {
		t.Fatal(err)
	}
	if thisYear > 0 { // only not on a 1st or 2nd of January that falls on a weekend
		figures := p.expect("Fiches : " + frtext.Number(thisYear))
		if strings.Contains(figures, "Aucune fiche") {
			t.Fatalf("figures:\n%s", figures)
		}
		p.expect("Médiateurs actifs")
	}
	p.press("Soins") // a section with its chart
	p.expect("Accès aux soins – Hauts-de-France")
	chart := value(p, "wait for the chart", poll[[]int](`(() => {
		const img = [...document.querySelectorAll("#chat .row.in img.photo")].pop();
		return img && img.complete && img.naturalWidth > 0 ? [img.naturalWidth, img.naturalHeight] : null;
	})()`))
	if chart[0] < 200 || chart[1] < 100 {
		t.Errorf("chart is %dx%d pixels", chart[0], chart[1])
	}

	// Over the synthetic year's 365 days: the regional report of 2024.
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(paris)
	p.send(fmt.Sprintf("/indicateurs %s %s", today.AddDate(0, 0, -364).Format("02/01/2006"), today.Format("02/01/2006")))
	p.expect("Quel territoire")
	// Inline buttons as drawn: white on an opaque green, 4.5:1 at least.
	colours := value(p, "read a button's colours", poll[[]string](`(() => {
		const b = [...document.querySelectorAll("#chat .row.in .kb button")].pop();
		if (!b) return null;
		const s = getComputedStyle(b);
		return [s.color, s.backgroundColor];
	})()`))
	if ratio := contrast(rgb(t, colours[0]), rgb(t, colours[1])); ratio < 4.5 {
		t.Errorf("inline button %s on %s: contrast %.2f:1, want 4.5:1 at least", colours[0], colours[1], ratio)
	}
	p.press("Hauts-de-France")
	year := p.expect("Fiches : 4 175")
	for _, want := range []string{"Médiateurs actifs : 49", "Nord : 1 793 fiches, 23 médiateurs", "Demandes d'accès aux droits : 3 667", "résolues à 76 %"} {
		if !strings.Contains(year, want) {
			t.Errorf("figures of the synthetic year lack %q:\n%s", want, year)
		}
	}

	// Awa's reminder lists her five due follow-ups (three due today).
	d.remind()
	p.playAs("Awa")
	reminder := p.expect("Des demandes attendent votre suivi aujourd'hui")
	if n := strings.Count(reminder, "Fiche n°"); n != 5 {
		t.Errorf("Awa's reminder lists %d requests, want 5:\n%s", n, reminder)
	}

	// No chat shows an invitation code: "/start" alone, as in Telegram.
	// Read once the chat is drawn (a reload redraws it): an empty list is
	// a chat not drawn yet, read again; a code or a second /start fails.
	starts := func() []string {
		return value(p, "read the typed /start", poll[[]string](`(() => {
			const s = [...document.querySelectorAll("#chat .row.out .text")].map(e => e.textContent).filter(s => s.startsWith("/start"));
			return s.length ? s : null;
		})()`))
	}
	if got := starts(); len(got) != 1 || got[0] != "/start" {
		t.Errorf("Awa's chat shows %q, want one \"/start\"", got)
	}
	before := p.screenText()

	// A restart of the demo shows the same chats.
	d.stop()
	d = runDemo(t, db, rdb)
	p.do("reload the chat", chromedp.Navigate(d.url+"#"+fmt.Sprint(awa)), chromedp.WaitVisible(chromedp.ID("input")))
	p.playAs("Awa")
	p.expect("Des demandes attendent votre suivi aujourd'hui")
	if after := p.screenText(); after != before {
		t.Errorf("Awa's chat after a restart:\n%s\nwant as before:\n%s", after, before)
	}
	if got := starts(); len(got) != 1 || got[0] != "/start" {
		t.Errorf("after a restart, Awa's chat shows %q, want one \"/start\"", got)
	}
	p.playAs("Claire")
	p.expect("Fiches : 4 175")
	t.Logf("screenshot of the coordinator's chat after a restart: %s", p.screenshot("restart"))
}
