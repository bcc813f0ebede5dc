import { registerBackend, type Backend } from './backend.js';

/**
 * The reference CPU backend: plain loops, ordered so the innermost loop walks contiguous memory in every variant.
 * Sums accumulate in float32 as each product is added (JavaScript evaluates `c + a * b` in double and the store
 * rounds once, like a fused multiply-add).
 */
export const cpuBackend: Backend = {
  name: 'cpu',
  matmul(a, b, out, m, k, n, transA, transB) {
    if (!transA && !transB) {
      // i-p-j: row i of C accumulates a[i,p] times row p of B; both rows are contiguous
      out.fill(0, 0, m * n);
      for (let i = 0; i < m; i++) {
        const ci = i * n, ai = i * k;
        for (let p = 0; p < k; p++) {
          const aip = a[ai + p];
          const bp = p * n;
          for (let j = 0; j < n; j++) out[ci + j] += aip * b[bp + j];
        }
      }
    } else if (!transA && transB) {
      // C = A B^T: each entry is a dot product of two contiguous rows
      for (let i = 0; i < m; i++) {
        const ai = i * k;
        for (let j = 0; j < n; j++) {
          const bj = j * k;
          let s = 0;
          for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
          out[i * n + j] = s;
        }
      }
    } else if (transA && !transB) {
      // C = A^T B with A stored k x m: row p of A scatters into every row of C
      out.fill(0, 0, m * n);
      for (let p = 0; p < k; p++) {
        const ap = p * m, bp = p * n;
        for (let i = 0; i < m; i++) {
          const api = a[ap + i];
          const ci = i * n;
          for (let j = 0; j < n; j++) out[ci + j] += api * b[bp + j];
        }
      }
    } else {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += a[p * m + i] * b[j * k + p];
          out[i * n + j] = s;
        }
      }
    }
  },
};

registerBackend(cpuBackend);
