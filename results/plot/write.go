package plot

import (
	"io"
	"path/filepath"
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/sharebench/sharebench/results"
)

// WriteAll writes every figure of f into dir as <name>.png and <name>.svg,
// each atomically, and returns the file names (not paths) in the order of
// Figures. dir must exist. Files are drawn on all cores at once: each is
// independent of the others, and the names and contents do not depend on
// the order they finish in.
func WriteAll(dir string, f *results.File) ([]string, error) {
	figs := Figures(f)
	var names []string
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, fig := range figs {
		for _, format := range Formats {
			name := fig.Name + "." + format
			names = append(names, name)
			g.Go(func() error {
				return results.WriteFileAtomic(filepath.Join(dir, name), func(w io.Writer) error {
					return Render(w, fig, format)
				})
			})
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return names, nil
}

// FileNames returns the names WriteAll writes for f, without drawing
// anything: how a caller tells whether a directory has its plots.
func FileNames(f *results.File) []string {
	var names []string
	for _, fig := range Figures(f) {
		for _, format := range Formats {
			names = append(names, fig.Name+"."+format)
		}
	}
	return names
}
