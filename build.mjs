// Bundles the library (browser and Node), the `mimic` command, the demo page, the tests and the
// benchmark with esbuild.
//
// Every `import x from '.../shaders/NAME.wgsl'` becomes a module that exports the shader's source
// together with what wgsl_reflect reads from it: the entry point, its workgroup size, its
// override constants and every declared binding. Kernels build their bind group layouts from this,
// so the WGSL file is the single source of truth for its interface.
import { build } from 'esbuild';
import { chmod, copyFile, mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WgslReflect } from 'wgsl_reflect/wgsl_reflect.module.js';

const root = dirname(fileURLToPath(import.meta.url));
const includePattern = /^\s*\/\/\s*#include\s+"([^"]+)"\s*$/gm;

// Resolves `// #include "file.wgsl"` lines (paths relative to shaders/) so that kernels can share
// helpers such as the Philox generator. WGSL has no include mechanism of its own.
async function expandIncludes(path, seen = new Set()) {
  if (seen.has(path)) throw new Error(`${relative(root, path)}: circular #include`);
  seen.add(path);
  const text = await readFile(path, 'utf8');
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(includePattern)) {
    parts.push(text.slice(last, match.index));
    parts.push(await expandIncludes(join(root, 'shaders', match[1]), new Set(seen)));
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.join('');
}

function reflectShader(name, code) {
  let reflected;
  try {
    reflected = new WgslReflect(code);
  } catch (error) {
    throw new Error(`${name}: wgsl_reflect could not parse the shader: ${error.message}`);
  }
  const entries = reflected.entry.compute;
  if (entries.length !== 1) {
    throw new Error(`${name}: expected exactly one @compute entry point, found ${entries.length}`);
  }
  const entry = entries[0];
  const bindings = [];
  for (const group of reflected.getBindGroups()) {
    for (const variable of group ?? []) {
      if (!variable) continue;
      // resourceType 0 is a uniform buffer and 1 a storage buffer in wgsl_reflect 1.x.
      let type;
      if (variable.resourceType === 0) type = 'uniform';
      else if (variable.resourceType === 1) type = variable.access === 'read' ? 'read-only-storage' : 'storage';
      else throw new Error(`${name}: binding '${variable.name}' is not a buffer; only buffers are supported`);
      const binding = { name: variable.name, group: variable.group, binding: variable.binding, type };
      if (type === 'uniform') binding.size = variable.size;
      bindings.push(binding);
    }
  }
  if (bindings.some((b) => b.group !== 0)) {
    throw new Error(`${name}: all bindings must be in @group(0)`);
  }
  bindings.sort((a, b) => a.binding - b.binding);
  return {
    name,
    code,
    entryPoint: entry.name,
    workgroupSize: entry.workgroupSize,
    overrides: reflected.overrides.map((o) => o.name),
    bindings,
  };
}

const wgslPlugin = {
  name: 'wgsl-reflect',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.wgsl$/ }, async (args) => {
      const name = basename(args.path);
      const code = await expandIncludes(args.path);
      const info = reflectShader(name, code);
      return { contents: `export default ${JSON.stringify(info)};`, loader: 'js' };
    });
  },
};

const shared = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [wgslPlugin],
  // Dawn's Node binding is a native module and is loaded only when no other device is available.
  // Node built-ins (node:worker_threads for the tree worker) are imported only when running in Node.
  external: ['webgpu', 'node:*'],
};

// The tree worker runs from tree_worker.js in the same folder as the bundle that starts it (see
// src/models/trees/run.ts), so each folder with a bundle of the library gets its own copy.
async function buildTreeWorker(outdir) {
  await build({ ...shared, entryPoints: { tree_worker: 'src/models/trees/worker.ts' }, outdir, platform: 'neutral' });
}

// Node's CommonJS helpers are not defined in ESM bundles; some dependencies still expect them.
const nodeBanner = "import { createRequire as __createRequire } from 'node:module';\nconst require = __createRequire(import.meta.url);";

async function main() {
  await rm(join(root, 'dist'), { recursive: true, force: true });
  await rm(join(root, 'build'), { recursive: true, force: true });

  await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral' });
  await build({ ...shared, entryPoints: ['src/runtime/index.ts'], outfile: 'dist/runtime.js', platform: 'neutral', minify: true });
  await build({
    ...shared,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    banner: { js: `#!/usr/bin/env node\n${nodeBanner}` },
  });
  // esbuild writes files without the executable bit, and npm links `mimic` straight to this file.
  await chmod(join(root, 'dist/cli.js'), 0o755);
  await buildTreeWorker('dist');

  const tests = (await readdir(join(root, 'test'))).filter((f) => f.endsWith('.test.ts'));
  await build({
    ...shared,
    entryPoints: tests.map((f) => join('test', f)),
    outdir: 'build/test',
    platform: 'node',
    external: ['webgpu', 'uvu', 'puppeteer-core', 'onnxruntime-web'],
    banner: { js: nodeBanner },
  });
  await buildTreeWorker('build/test');

  // The kernel tests again, bundled for a browser page (test/browser/kernels.html).
  await build({ ...shared, entryPoints: ['test/kernels.test.ts'], outfile: 'build/browser/kernels.test.js', platform: 'browser' });

  // The demo page: its script, the worker that runs the pipeline, the page and the shipped data.
  await build({ ...shared, entryPoints: ['demo/main.ts', 'demo/worker.ts'], outdir: 'build/demo', platform: 'browser', minify: true });
  await buildTreeWorker('build/demo');
  await mkdir(join(root, 'build/demo/data'), { recursive: true });
  await copyFile(join(root, 'demo/index.html'), join(root, 'build/demo/index.html'));
  for (const name of (await readdir(join(root, 'data'))).filter((f) => f.endsWith('.csv'))) {
    await copyFile(join(root, 'data', name), join(root, 'build/demo/data', name));
  }

  await build({
    ...shared,
    entryPoints: ['bench/bench.ts', 'bench/teacher.ts', 'bench/trees.ts', 'bench/top_k.ts', 'bench/letter_teachers.ts'],
    outdir: 'build/bench',
    platform: 'node',
    external: ['webgpu', '@tensorflow/*', 'puppeteer-core'],
    banner: { js: nodeBanner },
  });
  await buildTreeWorker('build/bench');
  // The same cases for a browser page (`npm run bench -- --browser`), with tfjs bundled in.
  await build({ ...shared, entryPoints: ['bench/page.ts'], outfile: 'build/bench/page.js', platform: 'browser' });
}

main().catch((error) => {
  console.error(`build failed: ${error.message}`);
  process.exit(1);
});
