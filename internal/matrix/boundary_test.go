package matrix_test

import (
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Only internal/matrix speaks to Matrix: elsewhere, production code says
// what it means with the transport's Message and Event, and never imports
// mautrix (nor its helper modules), so a second presenter cannot grow
// Matrix calls of its own.
func TestOnlyTheTransportImportsMautrix(t *testing.T) {
	t.Parallel()
	libs := []string{"maunium.net/go/mautrix", "go.mau.fi/util"}
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(path)
		if d.IsDir() {
			if strings.HasSuffix(slash, "internal/matrix") || d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", path, imp.Path.Value, err)
			}
			for _, lib := range libs {
				if p == lib || strings.HasPrefix(p, lib+"/") {
					t.Errorf("%s imports %s: only internal/matrix may (send a matrix.Message, read a matrix.Event)", slash, p)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("the walk read %d Go files: it did not see the project", checked)
	}
}
