package plot

import (
	"os"
	"testing"
)

func TestZZView(t *testing.T) {
	for _, fig := range Figures(readSample(t)) {
		w, _ := os.Create("/tmp/plots-view/oo-" + fig.Name + ".png")
		if err := Render(w, fig, "png"); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
}
