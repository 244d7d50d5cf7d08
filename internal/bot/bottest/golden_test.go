package bottest

import "testing"

// A step rendered alike is left out; a step that differs is one hunk
// holding the whole step, headed by its lines in each file and both
// inputs, its removed lines before its added ones.
func TestStepDiff(t *testing.T) {
	telegram := "> /fiche\nDate ?\n  [Aujourd'hui | Hier]\n\n> 34\nQPV ?\n\n> [Oui]\nNote ?\n  [Passer]\n\n"
	matrix := "> !fiche\nDate ?\n1. Aujourd'hui\n2. Hier\n\n> 34\nQPV ?\n\n> 1\nNote ?\n1. Passer\n  (modifié)\n\n"
	want := `--- fiche.txt
+++ fiche.matrix.txt
@@ -1,4 +1,5 @@ /fiche → !fiche
-> /fiche
+> !fiche
 Date ?
-  [Aujourd'hui | Hier]
+1. Aujourd'hui
+2. Hier
 
@@ -8,4 +9,5 @@ [Oui] → 1
-> [Oui]
+> 1
 Note ?
-  [Passer]
+1. Passer
+  (modifié)
 
`
	if got := StepDiff("fiche.txt", "fiche.matrix.txt", telegram, matrix); got != want {
		t.Errorf("StepDiff:\n%s\nwant:\n%s", got, want)
	}
	if got := StepDiff("a", "b", telegram, telegram); got != "--- a\n+++ b\n" {
		t.Errorf("the same transcripts differ:\n%s", got)
	}
}
