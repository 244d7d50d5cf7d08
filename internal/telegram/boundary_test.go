package telegram_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Only internal/telegram speaks the Bot API: it turns updates into
// chat.Events and what Relais says (chat.Message) into calls. Outside it
// and the fake, production code under internal/ never imports the
// library, and cmd/ names only the client it wires.
func TestOnlyTheTransportBuildsBotAPICalls(t *testing.T) {
	t.Parallel()
	const lib = "github.com/go-telegram-bot-api/telegram-bot-api/v5"
	allowed := map[string]bool{"BotAPI": true}
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		slash := filepath.ToSlash(path)
		if d.IsDir() {
			if strings.HasSuffix(slash, "internal/telegram") || strings.HasSuffix(slash, "internal/telegramtest") || d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		name := ""
		for _, imp := range f.Imports {
			p, err := strconv.Unquote(imp.Path.Value)
			if err != nil {
				return fmt.Errorf("%s: import %s: %w", path, imp.Path.Value, err)
			}
			if p == lib {
				name = "tgbotapi"
				if imp.Name != nil {
					name = imp.Name.Name
				}
			}
		}
		if name == "" {
			return nil
		}
		if strings.Contains(slash, "/internal/") {
			t.Errorf("%s imports the Bot API library: take a chat.Event, build a chat.Message", slash)
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && !allowed[sel.Sel.Name] {
					t.Errorf("%s uses %s.%s: take a chat.Event, build a chat.Message and let internal/telegram send it", slash, name, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no file outside internal/telegram imports the library: the walk found nothing to check")
	}
}
