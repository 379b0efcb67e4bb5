package strategies_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sharebench/sharebench/internal/importrule"
)

// TestImportRule: strategies reach the world only through sim.Env. The
// package must not depend on any world or on the harness, and its code must
// not touch the wall clock, start goroutines, block on channels or sync
// primitives, or draw from the global random source: in the virtual world
// any of those would escape virtual time or break determinism.
func TestImportRule(t *testing.T) {
	importrule.Check(t, "sim/virtual", "sim/live", "workload", "results", "cmd")

	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch path {
			case "sync", "sync/atomic", "math/rand", "os", "net", "net/http":
				t.Errorf("%s imports %s; use the Env", fset.Position(imp.Pos()), path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			bad := ""
			switch n := n.(type) {
			case *ast.GoStmt:
				bad = "a go statement; use Env.Go or Env.Group"
			case *ast.SendStmt, *ast.SelectStmt:
				bad = "a channel operation; block only through the Env"
			case *ast.UnaryExpr:
				if n.Op == token.ARROW {
					bad = "a channel receive; block only through the Env"
				}
			case *ast.ChanType:
				bad = "a channel type; block only through the Env"
			case *ast.SelectorExpr:
				if pkg, ok := n.X.(*ast.Ident); ok {
					switch pkg.Name + "." + n.Sel.Name {
					case "time.Now", "time.Sleep", "time.After", "time.AfterFunc", "time.NewTimer", "time.NewTicker",
						"time.Tick", "time.Since", "time.Until":
						bad = pkg.Name + "." + n.Sel.Name + ", the wall clock; use Env.Now and Env.Sleep"
					case "context.WithTimeout", "context.WithDeadline", "context.WithCancel", "context.WithCancelCause",
						"context.AfterFunc", "context.WithTimeoutCause", "context.WithDeadlineCause":
						bad = pkg.Name + "." + n.Sel.Name + ", a wall-clock context; use Env.WithTimeout or Env.WithCancel"
					}
					if pkg.Name == "rand" && n.Sel.Name != "Rand" {
						bad = "the global random source (rand." + n.Sel.Name + "); use Env.Rand"
					}
				}
			}
			if bad != "" {
				t.Errorf("%s: %s", fset.Position(n.Pos()), bad)
			}
			return true
		})
	}
	if checked < 5 {
		t.Fatalf("checked only %d files; is the test in the right directory?", checked)
	}
}
