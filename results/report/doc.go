// Package report writes a run's report from its result file: report.md for
// reading in a repository and report.html, a single self-contained page
// (plots embedded as data: URIs, no scripts, nothing fetched) to open in a
// browser or attach to a ticket. Both hold the scenario, the summary table
// and a verdict per strategy generated from the numbers: which metrics it
// wins and by how much, and where it falls short.
//
// It reads results and draws through results/plot; it must not import
// strategies, anything under sim, or workload.
package report
