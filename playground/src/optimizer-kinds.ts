// The optimizers of the race and the inspector: lrlab's own classes, each with its update rule as the inspector
// prints it, and what the rule computed per coordinate at the last step (no DOM here, so Node tests can use it).
import { SGD, RMSprop, Adagrad, Adam, AdamW, NAdam, RAdam, Adamax, Rprop, ASGD, type Tensor, type Optimizer } from '../../src/index.js';

export interface Kind {
  name: string;
  color: string;
  make(p: Tensor, lr: number): Optimizer<{ lr: number }>;
  equations: string;
}

export const KINDS: Kind[] = [
  { name: 'SGD', color: '#6b7280', make: (p, lr) => new SGD([p], { lr }), equations: 'θ ← θ − η g' },
  { name: 'Momentum', color: '#2563eb', make: (p, lr) => new SGD([p], { lr, momentum: 0.9 }), equations: 'b ← μ b + g\nθ ← θ − η b' },
  { name: 'Nesterov', color: '#7c3aed', make: (p, lr) => new SGD([p], { lr, momentum: 0.9, nesterov: true }), equations: 'b ← μ b + g\nθ ← θ − η (g + μ b)' },
  { name: 'RMSprop', color: '#059669', make: (p, lr) => new RMSprop([p], { lr }), equations: 'v ← α v + (1 − α) g²\nθ ← θ − η g / (√v + ε)' },
  { name: 'Adagrad', color: '#d97706', make: (p, lr) => new Adagrad([p], { lr }), equations: 'G ← G + g²\nθ ← θ − η g / (√G + ε)' },
  { name: 'Adam', color: '#dc2626', make: (p, lr) => new Adam([p], { lr }), equations: 'm ← β₁ m + (1 − β₁) g\nv ← β₂ v + (1 − β₂) g²\nm̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)\nθ ← θ − η m̂ / (√v̂ + ε)' },
  { name: 'AdamW', color: '#db2777', make: (p, lr) => new AdamW([p], { lr, weightDecay: 0.01 }), equations: 'θ ← θ − η λ θ   (decoupled decay, λ = 0.01)\nthen Adam’s step' },
  {
    name: 'NAdam', color: '#0891b2', make: (p, lr) => new NAdam([p], { lr }),
    equations: 'μ_t = β₁ (1 − ½ · 0.96^(t ψ)),  Π_t = Π_{t−1} μ_t\nm ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²\nd = √v / √(1 − β₂ᵗ) + ε\nθ ← θ − η (1 − μ_t) / (1 − Π_t) · g / d\n      − η μ_{t+1} / (1 − Π_t μ_{t+1}) · m / d',
  },
  {
    name: 'RAdam', color: '#65a30d', make: (p, lr) => new RAdam([p], { lr }),
    equations: 'm ← β₁ m + (1 − β₁) g,  v ← β₂ v + (1 − β₂) g²\nρ_t = ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ),  ρ∞ = 2 / (1 − β₂) − 1\nρ_t > 5: θ ← θ − η m̂ r_t √(1 − β₂ᵗ) / (√v + ε)\nelse:   θ ← θ − η m̂   (v is too young to trust)',
  },
  { name: 'Adamax', color: '#1e293b', make: (p, lr) => new Adamax([p], { lr }), equations: 'm ← β₁ m + (1 − β₁) g\nu ← max(β₂ u, |g| + ε)\nθ ← θ − η / (1 − β₁ᵗ) · m / u' },
  {
    name: 'Rprop', color: '#be123c', make: (p, lr) => new Rprop([p], { lr }),
    equations: 'g · g_prev > 0:  Γ ← min(1.2 Γ, 50)\ng · g_prev < 0:  Γ ← max(0.5 Γ, 1e-6),  g ← 0\nθ ← θ − Γ sign(g)   (only the sign of g counts)',
  },
  { name: 'ASGD', color: '#854d0e', make: (p, lr) => new ASGD([p], { lr }), equations: 'θ ← θ (1 − λ η),  θ ← θ − η g\nax ← ax + μ (θ − ax)   (the average)\nη = lr / (1 + λ lr t)^α,  μ = 1 / max(1, t − t0)' },
];

type Rows = Record<string, number[] | number>;

/** The row of `effectiveStep` that equals −update, by optimizer. */
export const EFFECTIVE: Record<string, string> = {
  Adam: 'η m̂ / (√v̂ + ε)', AdamW: 'effective step (decay + Adam’s)', NAdam: 'effective step (their sum)', Adamax: 'η / (1 − β₁ᵗ) · m / u',
};
interface Group { lr: number; betas?: [number, number]; eps?: number; momentumDecay?: number; weightDecay?: number }

/**
 * What an Adam-family rule computed per coordinate at step t (state after the step, g the gradient it used): the
 * bias-corrected moments and the effective step, the signed distance the rule moved each coordinate (θ before the
 * step is `theta`). The row named in `EFFECTIVE` equals −update; the point is to see which factor made it (for Adam,
 * η m̂ / (√v̂ + ε) stays near η whatever g's scale).
 */
export function effectiveStep(kind: string, state: Record<string, unknown>, group: Group, g: number[], theta: number[]): Rows {
  const out: Rows = {};
  const t = state.step, m = state.expAvg;
  if (typeof t !== 'number' || !(m instanceof Float32Array) || group.betas === undefined || group.eps === undefined) return out;
  const [b1, b2] = group.betas, eps = group.eps, lr = group.lr;
  const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
  out['1 − β₁ᵗ'] = c1;
  out['1 − β₂ᵗ'] = c2;
  const mHat = Array.from(m, (x) => x / c1);
  const v = state.expAvgSq, u = state.expInf;
  if ((kind === 'Adam' || kind === 'AdamW') && v instanceof Float32Array) {
    const vHat = Array.from(v, (x) => x / c2);
    out['m̂ = m / (1 − β₁ᵗ)'] = mHat;
    out['v̂ = v / (1 − β₂ᵗ)'] = vHat;
    out['η m̂ / (√v̂ + ε)'] = mHat.map((x, i) => (lr * x) / (Math.sqrt(vHat[i]) + eps));
    if (kind === 'AdamW') {
      const decay = theta.map((x) => lr * (group.weightDecay ?? 0) * x);
      out['η λ θ (decoupled decay)'] = decay;
      out['effective step (decay + Adam’s)'] = decay.map((x, i) => x + (out['η m̂ / (√v̂ + ε)'] as number[])[i]);
    }
  } else if (kind === 'NAdam' && v instanceof Float32Array && typeof state.muProduct === 'number') {
    const psi = group.momentumDecay ?? 4e-3, P = state.muProduct;
    const mu = b1 * (1 - 0.5 * 0.96 ** (t * psi)), muNext = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    const d = Array.from(v, (x) => Math.sqrt(x) / Math.sqrt(c2) + eps);
    out['μ_t, μ_{t+1}'] = [mu, muNext];
    out['Π_t'] = P;
    out['η (1 − μ_t)/(1 − Π_t) g/d'] = g.map((x, i) => (lr * (1 - mu) * x) / (1 - P) / d[i]);
    out['η μ_{t+1}/(1 − Π_t μ_{t+1}) m/d'] = Array.from(m, (x, i) => (lr * muNext * x) / (1 - P * muNext) / d[i]);
    out['effective step (their sum)'] = g.map((_, i) => (out['η (1 − μ_t)/(1 − Π_t) g/d'] as number[])[i] + (out['η μ_{t+1}/(1 − Π_t μ_{t+1}) m/d'] as number[])[i]);
  } else if (kind === 'RAdam' && v instanceof Float32Array) {
    const rhoInf = 2 / (1 - b2) - 1, rho = rhoInf - (2 * t * b2 ** t) / c2;
    out['m̂ = m / (1 − β₁ᵗ)'] = mHat;
    out['ρ_t (ρ∞)'] = [rho, rhoInf];
    if (rho > 5) {
      const r = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
      out['r_t'] = r;
      out['effective step η m̂ r_t √(1 − β₂ᵗ) / (√v + ε)'] = mHat.map((x, i) => (lr * x * r * Math.sqrt(c2)) / (Math.sqrt(v[i]) + eps));
    } else {
      out['effective step η m̂ (ρ_t ≤ 5: no adaptive step yet)'] = mHat.map((x) => lr * x);
    }
  } else if (kind === 'Adamax' && u instanceof Float32Array) {
    out['η / (1 − β₁ᵗ) · m / u'] = Array.from(m, (x, i) => (lr / c1) * (x / u[i]));
  }
  return out;
}
