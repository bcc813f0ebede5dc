// Which parameters a sampler can model jointly, computed from the finished trials of a study: Optuna's
// IntersectionSearchSpace and _GroupDecomposedSearchSpace (both with pruned trials included, as TPE uses them).
import type { FrozenTrial, SearchSpace, StudyView } from '../types.js';
import { isSingle, sameDistribution } from '../distributions.js';

function finished(study: StudyView, includePruned = true): readonly FrozenTrial[] {
  return study.getTrials({ states: includePruned ? ['complete', 'pruned'] : ['complete'] });
}

/**
 * The parameters every complete or pruned trial has, with the same distribution in all of them, names sorted.
 * Parameters with one possible value are left out (nothing to sample). TPE counts pruned trials; CMA-ES does not.
 */
export function intersectionSearchSpace(study: StudyView, includePruned = true): SearchSpace {
  let space: SearchSpace | null = null;
  for (const t of finished(study, includePruned)) {
    if (space === null) {
      space = { ...t.distributions };
      continue;
    }
    for (const name of Object.keys(space)) if (t.distributions[name] === undefined || !sameDistribution(space[name], t.distributions[name])) delete space[name];
  }
  const out: SearchSpace = {};
  for (const name of Object.keys(space ?? {}).sort()) if (!isSingle((space as SearchSpace)[name])) out[name] = (space as SearchSpace)[name];
  return out;
}

/**
 * The finished trials' parameters split into groups that always occur together: each group is a maximal set such
 * that every trial has either all of it or none of it. An objective with `if (kind === 'a') suggest x else
 * suggest y` gives the groups {kind}, {x}, {y}. Each group's names are sorted; one-value parameters are dropped.
 */
export function groupDecomposedSearchSpace(study: StudyView): SearchSpace[] {
  let groups: SearchSpace[] = [];
  for (const t of finished(study)) {
    const rest = new Set(Object.keys(t.distributions));
    const next: SearchSpace[] = [];
    for (const g of groups) {
      const inside: SearchSpace = {};
      const outside: SearchSpace = {};
      for (const name of Object.keys(g)) (rest.has(name) ? inside : outside)[name] = g[name];
      next.push(inside, outside);
      for (const name of Object.keys(g)) rest.delete(name);
    }
    const fresh: SearchSpace = {};
    for (const name of rest) fresh[name] = t.distributions[name];
    next.push(fresh);
    groups = next.filter((g) => Object.keys(g).length > 0);
  }
  return groups
    .map((g) => {
      const out: SearchSpace = {};
      for (const name of Object.keys(g).sort()) if (!isSingle(g[name])) out[name] = g[name];
      return out;
    })
    .filter((g) => Object.keys(g).length > 0);
}
