// Package plot draws a result file: latency percentile spectra, time series
// with the fault windows shaded, the trade-off map, the PBS-style
// consistency curve and the cost bars, as PNG, SVG and PDF with
// gonum/plot.
//
// It works in two steps so that what a plot says can be tested apart from
// how it looks: Figures turns a *results.File into plain data (lines of
// labelled points, bars, shaded windows, axis ranges and notes), and Render
// draws one Figure. Tests golden-test the data, not the image bytes.
//
// A plot must not mislead: every strategy keeps its own colour, dash and
// marker shape, with markers staggered so lines lying on top of each other
// all show; each figure lists the figures it illustrates with their 95 %
// intervals and sample counts (Basis), and draws those resting on too few
// samples faint; the series' incomplete last second is left out; fault
// windows and changes of the page rate (read from the scenario's rate
// curve) are shaded, their labels laid out so none overlap.
//
// Log axes only ever receive positive values: zeros (a second without
// renders, a strategy without stale reads) are left out and the plot says
// so, because gonum/plot panics on a non-positive value on a log scale.
//
// It reads results and nothing else of the project: it must not import
// strategies, anything under sim, or workload.
package plot
