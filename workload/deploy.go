package workload

import (
	"github.com/sharebench/sharebench/sim"
	"github.com/sharebench/sharebench/strategies"
)

// deployConfig builds the strategies' configuration for one column of the
// scenario (a plain strategy, or a plan: a strategy per owner) from the
// model: every value comes from the scenario as parsed, so a zero there is
// a zero here; what the scenario has no field for keeps
// strategies.DefaultConfig. pops are the owners' populations (nil: no
// initial records). The marketplace form fills the single-owner fields
// and leaves Owners and Kinds empty, so Deploy does what it always did.
func (sc *Scenario) deployConfig(md *model, column string, pops map[string]*Sellers, onCommit func(owner string, l *strategies.List)) strategies.Config {
	o := sc.Options
	cfg := strategies.DefaultConfig()
	cfg.OnCommit = onCommit
	cfg.CacheTTL = o.Sync.CacheTTL.D()
	cfg.StaleIfError = o.Sync.StaleIfError.D()
	cfg.RelayInterval = o.Async.RelayInterval.D()
	cfg.Pages = map[string]sim.ServiceSpec{}
	for _, name := range md.topo.Services {
		cfg.Pages[name] = md.services[name].spec()
	}
	var owners []strategies.OwnerConfig
	for _, name := range md.topo.Owners {
		owners = append(owners, sc.ownerConfig(name, strategies.Strategy(md.topo.StrategyFor(column, name)), md.owners[name], pops[name]))
	}
	// The legacy single-owner fields: the marketplace's owner, or the
	// general form's first, for whatever still reads them
	// (Deployment.Owner is the first).
	oc := owners[0]
	cfg.Strategy, cfg.Sellers, cfg.ClientSize, cfg.Initial = oc.Strategy, oc.Sellers, oc.ClientSize, oc.Initial
	cfg.Owner, cfg.Call = oc.Spec, oc.Call
	cfg.ReconcileEvery, cfg.ReconcileTimeout = oc.ReconcileEvery, oc.ReconcileTimeout
	if !sc.general() {
		return cfg
	}
	cfg.Owners = owners
	cfg.Kinds = md.topo.Kinds
	cfg.Work = map[string]sim.DurationDist{}
	for kind, w := range md.work {
		cfg.Work[kind] = *w
	}
	return cfg
}

// ownerConfig resolves one owner of strategy: the sync options for its
// calls, hybrid's for a hybrid owner (as the marketplace always did),
// anti-entropy by its strategy.
func (sc *Scenario) ownerConfig(name string, strategy strategies.Strategy, om ownerModel, pop *Sellers) strategies.OwnerConfig {
	o := sc.Options
	oc := strategies.OwnerConfig{
		Name: name, Strategy: strategy, Sellers: om.Population.Sellers, ClientSize: om.Population.ClientBytes,
		Spec: om.Service.spec(),
		Call: strategies.CallOptions{
			Timeout: o.Sync.Timeout.D(), Retries: o.Sync.Retries, Backoff: o.Sync.Backoff.D(),
			RetryBudget: o.Sync.RetryBudget, Parallel: o.Sync.Parallel,
		},
		ReconcileEvery: o.Async.ReconcileEvery.D(),
	}
	if pop != nil {
		oc.Initial = pop.Initial
	}
	if strategy == strategies.Hybrid {
		h := o.Hybrid.withSync(o.Sync)
		oc.Call.Timeout, oc.Call.Retries, oc.Call.Parallel = h.Timeout.D(), *h.Retries, *h.Parallel
		oc.ReconcileEvery = h.ReconcileEvery.D()
	}
	// The scenario has no field for it: anti-entropy waits at least as
	// long as a page's call, and never less than the default.
	oc.ReconcileTimeout = max(oc.Call.Timeout, strategies.DefaultConfig().ReconcileTimeout)
	return oc
}

// strategyConfig is deployConfig for a plain strategy, with sellers the
// first owner's population (nil: none).
func (sc *Scenario) strategyConfig(strategy strategies.Strategy, sellers *Sellers, onCommit func(owner string, l *strategies.List)) strategies.Config {
	md := sc.model()
	pops := map[string]*Sellers{}
	if sellers != nil {
		pops[md.topo.Owners[0]] = sellers
	}
	return sc.deployConfig(md, string(strategy), pops, onCommit)
}
