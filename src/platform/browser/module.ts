// node:module in the browser: `createRequire` resolves only gpu.js, to the gpu.js browser build the page loaded
// (a <script src="gpu-browser.min.js"> defines the global `GPU`), so the gpu backend runs on the page's WebGL.
const g = globalThis as unknown as { GPU?: { GPU?: unknown; input?: unknown } };

export function createRequire(_from: string | URL): (name: string) => unknown {
  return (name: string) => {
    if (name === 'gpu.js') {
      if (g.GPU === undefined) throw new Error('gpu backend: gpu.js is not loaded on this page; add <script src="gpu-browser.min.js"> before lrlab');
      return g.GPU;
    }
    throw new Error(`lrlab in the browser: cannot require '${name}' (Node.js only)`);
  };
}
