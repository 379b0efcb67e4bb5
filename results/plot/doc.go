// Package plot draws a result file: latency percentile spectra, time series
// with the fault windows shaded, the trade-off map, the PBS-style
// consistency curve and the cost bars, as PNG and SVG with gonum/plot.
//
// It works in two steps so that what a plot says can be tested apart from
// how it looks: Figures turns a *results.File into plain data (lines of
// labelled points, bars, shaded windows, axis ranges and notes), and Render
// draws one Figure. Tests golden-test the data, not the image bytes.
//
// Log axes only ever receive positive values: zeros (a second without
// renders, a strategy without stale reads) are left out and the plot says
// so, because gonum/plot panics on a non-positive value on a log scale.
//
// It reads results and nothing else of the project: it must not import
// strategies, anything under sim, or workload.
package plot
