package workload

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/sharebench/sharebench/pages"
	"github.com/sharebench/sharebench/results"
)

// A scenario's slo: section holds its service-level objectives: targets
// on the table's figures (scoped ones too: latency.p99@product,
// owner.rps@reviews) and the weights of the cost that ranks the columns
// meeting them (results/slo.go reads, judges and ranks them). The targets
// do not change a run; they are part of the scenario so that its result
// says what it was judged against.
//
//	slo:
//	  targets:
//	    latency.p99: <=150ms
//	    completeness: '>=99.5%'   # quoted: YAML reads a leading > as folded text
//	    self_view_violations: 0   # a bare limit: at most for lower-is-better figures
//	  cost: {owner.rps: 1, duplication: 1, broker.rps: 0.1}

// checkSLO refuses targets and cost terms on figures the scenario's
// results will not have, at their line.
func (sc *Scenario) checkSLO(root *yaml.Node) error {
	if sc.SLO == nil {
		return nil
	}
	if field, msg, ok := sc.SLO.Check(sc.resultTopology()); !ok {
		return &checkError{sloLine(root, field), "slo." + field, msg}
	}
	return nil
}

// sloLine is the line of field ("targets.owner.rps@reviews", "cost.x")
// under slo:, the key found by its exact name: metric names hold dots,
// which problem's path lookup would split on.
func sloLine(root *yaml.Node, field string) int {
	if root == nil || len(root.Content) == 0 {
		return 1
	}
	slo := findNode(root.Content[0], "slo")
	if slo == nil {
		return 1
	}
	section, name, _ := strings.Cut(field, ".")
	sec := findNode(slo, section)
	if sec == nil || sec.Kind != yaml.MappingNode {
		return slo.Line
	}
	for i := 0; i+1 < len(sec.Content); i += 2 {
		if sec.Content[i].Value == name {
			return sec.Content[i].Line
		}
	}
	return sec.Line
}

// resultTopology is the topology its result files record: nil for the
// marketplace form, whose figures are the Registry's alone.
func (sc *Scenario) resultTopology() *pages.Topology {
	if !sc.general() {
		return nil
	}
	t := sc.model().topo
	return &t
}

// WithTargets adds the -slo flag's targets to the scenario, replacing one
// on the same figure, and checks them as the file's are checked.
func (sc *Scenario) WithTargets(ts []results.Target) error {
	if len(ts) == 0 {
		return nil
	}
	sc.SLO = sc.SLO.With(ts)
	if err := sc.checkSLO(nil); err != nil {
		if ce, ok := err.(*checkError); ok {
			return fmt.Errorf("%s: %s", ce.field, ce.msg)
		}
		return err
	}
	return nil
}

// unquotedLimit is a mapping value starting with > or <, as in
// `completeness: >=99.5%`: YAML reads > as a folded block (< is plain text).
var unquotedLimit = regexp.MustCompile(`^\s*[^#'"]+:\s+>`)

// quoteHint is the fix for a YAML syntax error at a line giving an
// unquoted limit such as >=99.5%; "" for any other error.
func quoteHint(data []byte, err error) string {
	var line int
	if _, scanErr := fmt.Sscanf(strings.TrimPrefix(err.Error(), "yaml: "), "line %d:", &line); scanErr != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	for _, i := range []int{line - 1, line - 2} { // the error may name the line after
		if i >= 0 && i < len(lines) && unquotedLimit.MatchString(lines[i]) {
			return fmt.Sprintf("; line %d: quote a limit starting with >, e.g. completeness: '>=99.5%%' (YAML reads a leading > as folded text)", i+1)
		}
	}
	return ""
}
