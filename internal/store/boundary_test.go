package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// SQL lives in store, in the indicators read model that reads through
// store.Reader, and in the bulk import (internal/bulkimport, which writes
// through store's transaction), and in the Matrix transport for its own
// bookkeeping (internal/matrix: rooms, events and its sync position, next
// to mautrix's crypto store): no other production file holds a statement.
// internal/testenv (test databases from a template) is test
// support.
func TestSQLLivesInStore(t *testing.T) {
	t.Parallel()
	statement := regexp.MustCompile(`(?i)\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|DATABASE))\b`)
	root := filepath.Join("..", "..")
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(path)
		if d.IsDir() {
			if strings.HasSuffix(slash, "internal/store") || strings.HasSuffix(slash, "internal/indicators") ||
				strings.HasSuffix(slash, "internal/bulkimport") || strings.HasSuffix(slash, "internal/matrix") ||
				strings.HasSuffix(slash, "internal/testenv") || d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING && statement.MatchString(lit.Value) {
				t.Errorf("%s holds SQL (%.60s…): move it into internal/store (or the bulk import, if it is one)", slash, lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("only %d files read outside store: the walk missed the tree", files)
	}
}
