// Package importrule checks, from a package's own tests, the one-way
// imports ARCHITECTURE.md describes: which packages of the module a package must not
// depend on, directly or not. It must not import any package of the
// module.
package importrule

import (
	"os/exec"
	"strings"
	"testing"
)

// Module is the module's path.
const Module = "github.com/sharebench/sharebench/"

// Deps lists everything the package in dir depends on (go list -deps).
func Deps(t testing.TB, dir string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps in %s: %v\n%s", dir, err, out)
	}
	return strings.Fields(string(out))
}

// Check fails t if the package in the test's directory depends on any of
// the module's packages named in banned ("sim/virtual", "workload") or on
// anything under them.
func Check(t testing.TB, banned ...string) {
	t.Helper()
	for _, dep := range Deps(t, ".") {
		for _, b := range banned {
			if dep == Module+b || strings.HasPrefix(dep, Module+b+"/") {
				t.Errorf("this package depends on %s; it must not (ARCHITECTURE.md, layers)", dep)
			}
		}
	}
}
