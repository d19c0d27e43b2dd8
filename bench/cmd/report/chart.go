package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/llmkit/llmkit/bench/internal/contender/all"
)

var (
	white  = color.RGBA{255, 255, 255, 255}
	ink    = color.RGBA{30, 30, 30, 255}
	faint  = color.RGBA{225, 225, 225, 255}
	red    = color.RGBA{190, 30, 30, 255}
	colors = map[string]color.RGBA{
		"raw-sdk":        {140, 140, 140, 255},
		"llmkit":         {31, 100, 200, 255},
		"langchaingo":    {230, 145, 56, 255},
		"bifrost":        {106, 168, 79, 255},
		"anthropic-sdk":  {204, 102, 153, 255},
		"eino":           {142, 124, 195, 255},
		"raw-sdk-tls":    {190, 190, 190, 255},
		"raw-sdk-plain":  {100, 100, 100, 255},
		"llmkit-sdkpath": {120, 160, 220, 255},
	}
)

// drawChart draws one panel per workload: a horizontal bar of ns/op per contender, with
// its value and its ratio to the raw SDK; a contender that was not timed shows why.
func drawChart(path string, stats map[key]map[string]stat, checks map[key]check) error {
	const (
		width    = 1400
		cols     = 2
		panelW   = width / cols
		barH     = 18
		gap      = 6
		labelW   = 120
		valueW   = 190
		titleH   = 50
		panelTop = 28
	)
	n := len(all.Contenders)
	panelH := panelTop + n*(barH+gap) + 18
	rows := (len(benches) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, width, titleH+rows*panelH))
	draw.Draw(img, img.Bounds(), &image.Uniform{white}, image.Point{}, draw.Src)
	text(img, 14, 22, ink, "llmkit benchmarks: ns/op per contender and workload (lower is better; ratio to the raw SDK in the same run)")
	text(img, 14, 40, ink, "against the loopback simulator in its own process; bifrost and eino through the HTTPS proxy (TLS on loopback)")

	for i, b := range benches {
		x0 := (i % cols) * panelW
		y0 := titleH + (i/cols)*panelH
		text(img, x0+14, y0+16, ink, b.title)
		maxV := 0.0
		for _, e := range all.Contenders {
			if st, ok := stats[key{b.name, e.Info.Name}]; ok {
				maxV = max(maxV, st["ns/op"].median)
			}
		}
		raw := stats[key{b.name, "raw-sdk"}]["ns/op"].median
		barMax := panelW - labelW - valueW - 20
		for j, e := range all.Contenders {
			y := y0 + panelTop + j*(barH+gap)
			text(img, x0+14, y+13, ink, e.Info.Name)
			st, ok := stats[key{b.name, e.Info.Name}]
			if !ok || maxV == 0 {
				c := statusOf(checks, b.name, e.Info.Name, false)
				text(img, x0+labelW, y+13, red, c.status+": not timed")
				continue
			}
			v := st["ns/op"].median
			w := int(float64(barMax) * v / maxV)
			w = max(w, 1)
			fill(img, image.Rect(x0+labelW, y, x0+labelW+barMax, y+barH), faint)
			fill(img, image.Rect(x0+labelW, y, x0+labelW+w, y+barH), colors[e.Info.Name])
			label := strings.ReplaceAll(fmtNs(v), "µ", "u") // basicfont is ASCII
			if raw > 0 {
				label += fmt.Sprintf("  %.2fx", v/raw)
			}
			if rs, ok := st["req/s"]; ok {
				label += fmt.Sprintf("  %.0f req/s", rs.median)
			}
			text(img, x0+labelW+barMax+8, y+13, ink, label)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	draw.Draw(img, r, &image.Uniform{c}, image.Point{}, draw.Src)
}

func text(img *image.RGBA, x, y int, c color.RGBA, s string) {
	d := font.Drawer{Dst: img, Src: &image.Uniform{c}, Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
