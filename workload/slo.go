package workload

import (
	"fmt"

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
		return problem(root, "slo."+field, "%s", msg)
	}
	return nil
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
