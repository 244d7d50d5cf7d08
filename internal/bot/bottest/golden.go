package bottest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
)

// Golden compares got with the file at path, or writes it there when
// update is set (after a deliberate change, reviewed as a diff); rerun is
// the command that rewrites it, said when they differ.
func Golden(t testing.TB, path, got string, update bool, rerun string) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%v (run %s to write it)", err, rerun)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s changed; if on purpose, run %s and review the diff.\n%s", path, rerun, FirstDifference(string(want), got))
	}
}

// FirstDifference names the first line where two transcripts part, so a
// changed label reads as one line in the test's output too.
func FirstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b || i >= len(w) || i >= len(g) {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return "same lines"
}

// StepDiff is how transcript to differs from transcript from, step by
// step, as a unified diff (fromName and toName head it): each step (an
// input, from its « > » line to the next) that differs is one hunk holding
// the whole step, headed by both inputs, so a reviewer reads each step of
// one rendering against the same step of the other; a step rendered alike
// is left out. Two transcripts of different numbers of steps are compared
// as one step.
func StepDiff(fromName, toName, from, to string) string {
	a, b := steps(lines(from)), steps(lines(to))
	if len(a) != len(b) {
		a, b = [][]string{lines(from)}, [][]string{lines(to)}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "--- %s\n+++ %s\n", fromName, toName)
	lineA, lineB := 1, 1
	for i := range a {
		ops := diffLines(a[i], b[i])
		changed := false
		for _, op := range ops {
			changed = changed || op[0] != ' '
		}
		if changed {
			fmt.Fprintf(&out, "@@ -%d,%d +%d,%d @@ %s\n", lineA, len(a[i]), lineB, len(b[i]), stepTitle(a[i], b[i]))
			for _, op := range ops {
				out.WriteString(op + "\n")
			}
		}
		lineA += len(a[i])
		lineB += len(b[i])
	}
	return out.String()
}

// lines are a transcript's lines, without the empty string after its
// final newline.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// Steps are a transcript's lines cut before each input (a line starting
// with « > »), each step its input and the bot's answer.
func Steps(transcript string) [][]string { return steps(lines(transcript)) }

// steps cuts lines before each input (a line starting with « > »); lines
// before the first input are a step of their own.
func steps(ls []string) [][]string {
	var out [][]string
	for _, l := range ls {
		if strings.HasPrefix(l, "> ") || len(out) == 0 {
			out = append(out, nil)
		}
		out[len(out)-1] = append(out[len(out)-1], l)
	}
	return out
}

// stepTitle names a step by its two inputs (« [Femme] → 1 »).
func stepTitle(a, b []string) string {
	first := func(s []string) string {
		if len(s) == 0 {
			return ""
		}
		return strings.TrimPrefix(s[0], "> ")
	}
	if first(a) == first(b) {
		return first(a)
	}
	return first(a) + " → " + first(b)
}

// diffLines is a's lines turned into b's, each prefixed with « » (in
// both), « - » (only in a) or « + » (only in b): a longest common
// subsequence, removals before additions where lines change.
func diffLines(a, b []string) []string {
	// lcs[i][j] is the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, " "+a[i])
			i++
			j++
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "-"+a[i])
			i++
		default:
			out = append(out, "+"+b[j])
			j++
		}
	}
	return out
}
