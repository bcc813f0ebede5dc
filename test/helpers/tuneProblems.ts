// The three problems TPE is measured on (the same definitions as test/fixtures/gen_tpe.py, which records
// Optuna's TPE on them): Branin (2 floats), Hartmann-6 (6 floats) and a mixed space (log float, int, categorical).

/** What an objective needs of a trial. */
export interface Suggester {
  suggestFloat(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number;
  suggestInt(name: string, low: number, high: number, options?: { log?: boolean; step?: number }): number;
  suggestCategorical<T extends string | number | boolean | null>(name: string, choices: readonly T[]): T;
}

/** Branin-Hoo on [-5, 10] x [0, 15]; global minimum 0.397887 at three points. */
export function branin(t: Suggester): number {
  const x1 = t.suggestFloat('x1', -5, 10);
  const x2 = t.suggestFloat('x2', 0, 15);
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  const r = 1 / (8 * Math.PI);
  return (x2 - b * x1 ** 2 + c * x1 - 6) ** 2 + 10 * (1 - r) * Math.cos(x1) + 10;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
];

/** Hartmann-6 on [0, 1]^6; global minimum -3.32237. */
export function hartmann6(t: Suggester): number {
  const x = Array.from({ length: 6 }, (_, j) => t.suggestFloat(`x${j}`, 0, 1));
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i][j] * (x[j] - H_P[i][j] * 1e-4) ** 2;
    total -= H_ALPHA[i] * Math.exp(-inner);
  }
  return total;
}

const OFFSET: Record<string, number> = { sgd: 0.6, adam: 0, rmsprop: 0.3 };

/** A learning-rate-like log float (best 3e-3), an integer width (best 6) and an optimizer choice; minimum 0. */
export function mixed(t: Suggester): number {
  const lr = t.suggestFloat('lr', 1e-5, 1, { log: true });
  const width = t.suggestInt('width', 1, 16);
  const opt = t.suggestCategorical('optimizer', ['sgd', 'adam', 'rmsprop']);
  return (Math.log10(lr) - Math.log10(3e-3)) ** 2 + 0.05 * (width - 6) ** 2 + OFFSET[opt];
}

export const problems = { branin, hartmann6, mixed };
export type ProblemName = keyof typeof problems;
