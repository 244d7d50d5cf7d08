package callbackdata

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func fields(t *testing.T, data, prefix string) []string {
	t.Helper()
	p, rest, ok := strings.Cut(data, ":")
	if !ok || p != prefix {
		t.Fatalf("%q: prefix %q, want %q", data, p, prefix)
	}
	return strings.Split(rest, ":")
}

// The strings on the wire are the ones buttons already in chats carry.
func TestWireFormatIsUnchanged(t *testing.T) {
	shown := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for got, want := range map[string]string{
		NewForm("partenaire"): "b:new:partenaire",
		Done():                "b:done",
		Resume("8f3a"):        "b:resume:8f3a",
		Drop("8f3a", "fiche"): "b:drop:8f3a:fiche",
		Drop("8f3a", ""):      "b:drop:8f3a:",
		EditSheet(12):         "b:edit:12",
		Review(2026):          "bl:2026",
		SetStatus(42, "res"):  "r:42:res",
		Postpone(42, &shown):  "r:42:rep:20261123",
		Postpone(42, nil):     "r:42:rep:",
		Undo(42, "resolved"):  "r:42:und:resolved",
		FollowUpPage(3):       "sp:3",
		SetStatus(7, FollowUpAbandoned) + "|" + SetStatus(7, FollowUpUnresolved): "r:7:aba|r:7:non",
	} {
		if got != want {
			t.Errorf("encoded %q, want %q", got, want)
		}
	}
}

func TestRoundTrips(t *testing.T) {
	drafts := map[string]Draft{
		NewForm("fiche"):         {Act: DraftNew, Form: "fiche"},
		Done():                   {Act: DraftDone},
		Resume("r1"):             {Act: DraftResume, RecordID: "r1"},
		Drop("r1", "action"):     {Act: DraftDrop, RecordID: "r1", Form: "action"},
		Drop("r1", ""):           {Act: DraftDrop, RecordID: "r1"},
		EditSheet(math.MaxInt64): {Act: DraftEdit, Number: math.MaxInt64},
	}
	for data, want := range drafts {
		got, ok := ParseDraft(fields(t, data, PrefixDraft))
		if !ok || got != want {
			t.Errorf("ParseDraft(%q) = %+v, %v; want %+v", data, got, ok, want)
		}
	}
	if y, ok := ParseReview(fields(t, Review(2026), PrefixReview)); !ok || y != 2026 {
		t.Errorf("ParseReview = %d, %v", y, ok)
	}
	if p, ok := ParseFollowUpPage(fields(t, FollowUpPage(4), PrefixFollowUpPage)); !ok || p != 4 {
		t.Errorf("ParseFollowUpPage = %d, %v", p, ok)
	}
	shown := time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)
	follow := map[string]FollowUp{
		SetStatus(42, FollowUpResolved):   {Request: 42, Act: FollowUpResolved},
		SetStatus(42, FollowUpUnresolved): {Request: 42, Act: FollowUpUnresolved},
		SetStatus(42, FollowUpAbandoned):  {Request: 42, Act: FollowUpAbandoned},
		Postpone(42, &shown):              {Request: 42, Act: FollowUpPostpone, Shown: &shown},
		Postpone(42, nil):                 {Request: 42, Act: FollowUpPostpone},
		Undo(math.MaxInt64, "abandoned"):  {Request: math.MaxInt64, Act: FollowUpUndo, Undone: "abandoned"},
		"r:42:und":                        {Request: 42, Act: FollowUpUndo}, // made before undo named its status
	}
	for data, want := range follow {
		got, ok := ParseFollowUp(fields(t, data, PrefixFollowUp))
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseFollowUp(%q) = %+v, %v; want %+v", data, got, ok, want)
		}
	}
}

// Data a modified client could send is refused, never half-read.
func TestDecodersRefuseWhatTheyDidNotEncode(t *testing.T) {
	for _, f := range [][]string{nil, {}, {""}, {"new"}, {"new", ""}, {"new", "a", "b"}, {"done", "x"}, {"resume"}, {"resume", ""},
		{"drop", "r1"}, {"drop", "", "fiche"}, {"edit"}, {"edit", "x"}, {"edit", "0"}, {"edit", "-3"}, {"edit", "99999999999999999999"}, {"zap", "1"}} {
		if d, ok := ParseDraft(f); ok {
			t.Errorf("ParseDraft(%q) = %+v", f, d)
		}
	}
	for _, f := range [][]string{nil, {}, {""}, {"x"}, {"26"}, {"2026", "1"}, {"-2026"}, {"1999"}, {"10000"}} {
		if y, ok := ParseReview(f); ok {
			t.Errorf("ParseReview(%q) = %d", f, y)
		}
	}
	for _, year := range []int{2000, 9999} { // the bounds are years of four digits
		if y, ok := ParseReview([]string{strconv.Itoa(year)}); !ok || y != year {
			t.Errorf("ParseReview(%d) = %d, %v", year, y, ok)
		}
	}
	for _, f := range [][]string{nil, {"42"}, {"x", "res"}, {"42", "zap"}, {"42", "res", "x"}, {"42", "rep"}, {"42", "rep", "2026-11-23"},
		{"42", "rep", "20261399"}, {"42", "und", "a", "b"}, {"", "res"}} {
		if got, ok := ParseFollowUp(f); ok {
			t.Errorf("ParseFollowUp(%q) = %+v", f, got)
		}
	}
	for _, f := range [][]string{nil, {}, {"x"}, {"-1"}, {"1", "2"}} {
		if p, ok := ParseFollowUpPage(f); ok {
			t.Errorf("ParseFollowUpPage(%q) = %d", f, p)
		}
	}
}

// The longest values each encoder can be given stay within Telegram's 64
// bytes: int64 ids, a record id of 19 digits, the longest form id and status.
func TestLargestDataFitsTelegramsLimit(t *testing.T) {
	longest := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	record := strings.Repeat("9", 19)
	for _, data := range []string{
		NewForm("partenaire"), Done(), Resume(record), Drop(record, "partenaire"), EditSheet(math.MaxInt64),
		Review(9999), SetStatus(math.MaxInt64, FollowUpUnresolved), Postpone(math.MaxInt64, &longest),
		Undo(math.MaxInt64, "unresolved"), FollowUpPage(math.MaxInt32),
	} {
		if len(data) > MaxBytes {
			t.Errorf("%q is %d bytes, over %d", data, len(data), MaxBytes)
		}
	}
}

func FuzzDecoders(f *testing.F) {
	for _, s := range []string{"b:new:fiche", "b:drop:r1:", "b:edit:3", "bl:2026", "r:42:rep:20261123", "r:42:und", "sp:1", "::", "r:-1:res", "b:edit:9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		_, rest, _ := strings.Cut(data, ":")
		fs := strings.Split(rest, ":")
		if d, ok := ParseDraft(fs); ok {
			if again, ok := ParseDraft(fields(t, reencodeDraft(d), PrefixDraft)); !ok || again != d {
				t.Errorf("draft %+v does not survive re-encoding", d)
			}
		}
		ParseReview(fs)
		ParseFollowUpPage(fs)
		if u, ok := ParseFollowUp(fs); ok && u.Act == FollowUpPostpone {
			if again, ok := ParseFollowUp(fields(t, Postpone(u.Request, u.Shown), PrefixFollowUp)); !ok || !reflect.DeepEqual(again, u) {
				t.Errorf("postpone %+v does not survive re-encoding", u)
			}
		}
	})
}

func reencodeDraft(d Draft) string {
	switch d.Act {
	case DraftNew:
		return NewForm(d.Form)
	case DraftDone:
		return Done()
	case DraftResume:
		return Resume(d.RecordID)
	case DraftDrop:
		return Drop(d.RecordID, d.Form)
	}
	return EditSheet(d.Number)
}

// Figures data under the Monday summary: the week and the territory's
// fingerprint, within Telegram's limit for the longest flow and format.
func TestFiguresData(t *testing.T) {
	from, to := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	if got := Figures(FlowIndicators, PeriodCode(from, to), ScopeTag("d:59"), "v"); got != "i:20261116-20261122:3ff972c910:v" {
		t.Errorf("figures data %q", got)
	}
	if got := ScopeTag(strings.Repeat("structure très longue ", 20)); len(got) != 10 {
		t.Errorf("a long territory's tag is %q", got)
	}
	if got := Figures(FlowExport, PeriodCode(from, to), ScopeTag("s:59:0:x"), "xlsx"); len(got) > MaxBytes {
		t.Errorf("%q over %d bytes", got, MaxBytes)
	}
}
