// Builds lrlab's browser bundles with esbuild (ESM, one file each):
//   dist/browser/lrlab.js       the whole API, charts included (vega, vega-lite)
//   dist/browser/lrlab-core.js  the same without the chart renderer (renderSvg / writeReport's plots throw)
// Node-only modules never reach a bundle: `node:*` built-ins and Node-only packages resolve to the browser
// implementation in src/platform/browser/<name>.ts where there is one, otherwise to a stub whose every export
// throws "<fn> needs Node.js (<module>)" when called. Usage: node scripts/build-browser.mjs [--quiet]
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { gzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'pg', 'gl', 'pg-native'];
const CHART_PACKAGES = ['vega', 'vega-lite'];
const builtins = new Set(builtinModules);

async function exportNames(name) {
  try {
    const mod = await import(name); // ESM or CommonJS alike
    return Object.keys(mod).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
  } catch {
    return [];
  }
}

function stubSource(module, names, why) {
  const lines = [
    `const fail = (what) => { throw new Error(\`\${what} needs ${why} (${module}); it is not available in lrlab's browser build\`); };`,
    `const thrower = (name) => new Proxy(function () { fail(name); }, { get: (_t, p) => (p === 'then' ? undefined : thrower(\`\${name}.\${String(p)}\`)) });`,
    `export default thrower(${JSON.stringify(module)});`,
  ];
  for (const n of names) lines.push(`export const ${n} = thrower(${JSON.stringify(`${module}.${n}`)});`);
  return lines.join('\n');
}

function seam({ charts }) {
  const stubbed = new Set([...NODE_ONLY_PACKAGES, ...(charts ? [] : CHART_PACKAGES)]);
  return {
    name: 'lrlab-node-seam',
    setup(b) {
      // lrlab's own seam: src/platform/node/X.ts has a browser twin src/platform/browser/X.ts
      b.onResolve({ filter: /platform\/node\/[\w-]+\.js$/ }, (args) => ({
        path: join(root, 'src/platform/browser', args.path.replace(/^.*platform\/node\//, '').replace(/\.js$/, '.ts')),
      }));
      b.onResolve({ filter: /.*/ }, (args) => {
        const bare = args.path.replace(/^node:/, '');
        const isBuiltin = args.path.startsWith('node:') || (builtins.has(bare) && !args.path.startsWith('.'));
        if (isBuiltin || stubbed.has(args.path)) return { path: args.path, namespace: 'lrlab-seam' };
        return undefined;
      });
      b.onLoad({ filter: /.*/, namespace: 'lrlab-seam' }, async (args) => {
        const bare = args.path.replace(/^node:/, '').replace(/\//g, '-');
        const impl = join(root, 'src/platform/browser', `${bare}.ts`);
        const why = CHART_PACKAGES.includes(args.path) ? 'the chart renderer' : 'Node.js';
        const names = await exportNames(args.path);
        if (!existsSync(impl)) return { contents: stubSource(args.path.replace(/^node:/, ''), names, why), loader: 'js' };
        // the browser implementation provides what it can; the module's other names stay stubs
        const provided = [...readFileSync(impl, 'utf8').matchAll(/^export (?:async )?(?:function|const|class|let) ([\w$]+)/gm)].map((m) => m[1]);
        const rest = names.filter((n) => !provided.includes(n));
        const contents = `export { ${provided.join(', ')} } from ${JSON.stringify(impl)};\n${stubSource(args.path.replace(/^node:/, ''), rest, why).replace(/^export default .*$/m, '')}`;
        return { contents, resolveDir: root, loader: 'js' };
      });
    },
  };
}

export async function buildBrowser({ quiet = false } = {}) {
  const outDir = join(root, 'dist/browser');
  mkdirSync(outDir, { recursive: true });
  const sizes = {};
  for (const [file, charts] of [['lrlab.js', true], ['lrlab-core.js', false]]) {
    const result = await build({
      entryPoints: [join(root, 'src/browser.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      minify: true,
      legalComments: 'none',
      write: false,
      metafile: true,
      inject: [join(root, 'src/platform/browser/globals.ts')],
      plugins: [seam({ charts })],
      logLevel: 'silent',
    });
    const code = result.outputFiles[0].contents;
    writeFileSync(join(outDir, file), code);
    // what the bundle still imports at run time (esbuild's own record): must be nothing
    const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
    sizes[file] = { bytes: code.length, gzip: gzipSync(code).length, imports };
  }
  writeFileSync(join(outDir, 'sizes.json'), JSON.stringify(sizes, null, 2) + '\n');
  if (!quiet) {
    for (const [file, s] of Object.entries(sizes)) {
      console.log(`dist/browser/${file}: ${(s.bytes / 1024).toFixed(0)} KiB, ${(s.gzip / 1024).toFixed(0)} KiB gzipped`);
    }
  }
  return sizes;
}

/** Builds the playground (playground/) into playground/dist: the page, its script, the range-test worker, gpu.js. */
export async function buildPlayground() {
  const outDir = join(root, 'playground/dist');
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: join(root, 'playground/src/main.ts'), 'range-worker': join(root, 'playground/src/range-worker.ts') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    inject: [join(root, 'src/platform/browser/globals.ts')],
    plugins: [seam({ charts: false })],
    logLevel: 'silent',
  });
  for (const f of ['index.html', 'style.css']) copyFileSync(join(root, 'playground', f), join(outDir, f));
  const gpuDir = dirname(fileURLToPath(import.meta.resolve('gpu.js/package.json')));
  copyFileSync(join(gpuDir, 'dist/gpu-browser.min.js'), join(outDir, 'gpu-browser.min.js'));
  return outDir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildBrowser({ quiet: process.argv.includes('--quiet') });
  if (process.argv.includes('--playground')) await buildPlayground();
}
