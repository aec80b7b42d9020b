// Side-by-side benchmark of this project's kernels and training loop against TensorFlow.js on the
// same WebGPU adapter (bench/cases.ts has the cases).
//
//   npm run bench -- [--json FILE] [--quick] [--skip-cpu] [--only matmul,nearest,epoch] [--browser]
//
// Without --browser the cases run in this Node process on Dawn. With --browser they run in a page of
// headless Chromium (CHROMIUM_PATH, default /usr/bin/chromium) on SwiftShader, served from
// 127.0.0.1, with tfjs bundled into the page from node_modules. Both print the same table and write
// the same JSON, whose `runtime` field records where the cases ran.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { createEngine } from '../src/gpu/engine.js';
import { benchGroups, formatTable, runBench, type BenchOptions, type BenchReport } from './cases.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'string' },
    quick: { type: 'boolean' },
    'skip-cpu': { type: 'boolean' },
    only: { type: 'string' },
    browser: { type: 'boolean' },
  },
});

function benchOptions(): BenchOptions {
  const groups = (args.only ?? benchGroups.join(',')).split(',');
  for (const group of groups) {
    if (!benchGroups.includes(group)) throw new Error(`--only: unknown case group '${group}'; expected some of ${benchGroups.join(', ')}`);
  }
  return { quick: args.quick ?? false, skipCpu: args['skip-cpu'] ?? false, groups };
}

async function runInNode(options: BenchOptions): Promise<BenchReport> {
  const engine = await createEngine();
  // tfjs's WebGPU backend looks for navigator.gpu; hand it Dawn's GPU so it opens the same adapter.
  const { create } = await import('webgpu');
  if (typeof navigator === 'undefined' || !navigator.gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: create([]) }, configurable: true });
  }
  try {
    const rows = await runBench(engine, options, (line) => console.error(line));
    return { adapter: { name: engine.adapterName }, runtime: 'node', runtimeVersion: `Node ${process.versions.node}, Dawn`, date: new Date().toISOString(), options, rows };
  } finally {
    engine.destroy();
  }
}

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The empty icon link keeps Chromium from requesting /favicon.ico.
const pageHtml = '<!doctype html>\n<meta charset="utf-8">\n<link rel="icon" href="data:,">\n<title>webgpu-mimic benchmark</title>\n<script type="module" src="/page.js"></script>\n';

/** Serves the benchmark page and its bundle (build/bench/page.js, made by `node build.mjs`) on 127.0.0.1. */
function servePage(): Promise<Server> {
  const files: Record<string, [string, () => string | Buffer]> = {
    '/': ['text/html', () => pageHtml],
    '/page.js': ['text/javascript', () => readFileSync(new URL('page.js', import.meta.url))],
    '/page.js.map': ['application/json', () => readFileSync(new URL('page.js.map', import.meta.url))],
  };
  const server = createServer((request, response) => {
    const file = files[request.url ?? '/'];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[0] }).end(file[1]());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function runInBrowser(options: BenchOptions): Promise<BenchReport> {
  const { default: puppeteer } = await import('puppeteer-core');
  const server = await servePage();
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // A full run takes many minutes in one evaluate call; the default protocol timeout is 3 minutes.
    protocolTimeout: 4 * 60 * 60 * 1000,
    // The flags of test/browser.test.ts: SwiftShader gives a WebGPU adapter without a GPU, and the
    // rest keep Chromium off the network.
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (message) => console.error(message.text()));
    page.on('pageerror', (error) => console.error(`page error: ${error}`));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => typeof window.runMimicBench === 'function');
    const report = await page.evaluate((o) => window.runMimicBench(o), options);
    return { ...report, runtimeVersion: `${await browser.version()}, SwiftShader` };
  } finally {
    await browser.close();
    server.close();
  }
}

async function main(): Promise<void> {
  const options = benchOptions();
  const report = args.browser ? await runInBrowser(options) : await runInNode(options);
  console.log(formatTable(report));
  if (args.json) writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench failed: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
