// Headless Chromium with WebGPU on SwiftShader: the library bundle (a kernel against a float64
// reference and a small compression, run by test/browser/page.html), then the demo page end to end.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../../', import.meta.url);

const demoRoot = fileURLToPath(new URL('build/demo/', root));
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.csv': 'text/csv', '.map': 'application/json' };

// /lib/ serves the library check pages and the bundles they import; every other path is the built demo.
const libraryFiles: Record<string, URL> = {
  '/lib/': new URL('test/browser/page.html', root),
  '/lib/index.js': new URL('dist/index.js', root),
  '/lib/kernels.html': new URL('test/browser/kernels.html', root),
  '/lib/kernels.test.js': new URL('build/browser/kernels.test.js', root),
};

function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = request.url ?? '/';
    let file: string | URL | undefined = libraryFiles[url];
    if (!file && !url.startsWith('/lib/')) {
      const path = normalize(join(demoRoot, url === '/' ? 'index.html' : url.split('?')[0]));
      if (path.startsWith(demoRoot.endsWith(sep) ? demoRoot : demoRoot + sep) && existsSync(path)) file = path;
    }
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    const name = typeof file === 'string' ? file : file.pathname;
    response.writeHead(200, { 'content-type': types[extname(name)] ?? 'text/html' }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function withBrowser(run: (page: import('puppeteer-core').Page, origin: string) => Promise<void>): Promise<void> {
  const { default: puppeteer } = await import('puppeteer-core');
  const server = await serve();
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    // SwiftShader gives a WebGPU adapter without a GPU; the other flags keep Chromium off the network.
    args: ['--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await run(page, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await browser.close();
    server.close();
  }
}

if (!existsSync(chromium) && process.env.CI !== 'true') {
  // A developer machine without Chromium skips this file visibly; CI installs Chromium and runs it.
  console.log(`browser tests skipped: ${chromium} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
} else {
  test('library runs in headless Chromium', async () => {
    await withBrowser(async (page, origin) => {
      await page.goto(`${origin}/lib/`);
      await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'running', { timeout: 300_000 });
      const text = await page.$eval('#result', (element) => element.textContent ?? '');
      assert.not.match(text, /^error:/, text);
      const result = JSON.parse(text);
      assert.match(result.adapter, /swiftshader/i);
      assert.ok(result.matmulError <= 1e-4, `matmul relative error ${result.matmulError}`);
      assert.equal(result.rows, { train: 300, validation: 75, test: 225, pseudo: 3000 });
      for (const model of ['ensemble', 'ann', 'student']) {
        const scores = result.models[model];
        assert.ok(scores.rmse > 0, `${model} RMSE ${scores.rmse}`);
        assert.ok(scores.rmse < 0.45, `${model} RMSE ${scores.rmse}`);
        assert.ok(scores.auc > 0.7, `${model} AUC ${scores.auc}`);
      }
    });
  });

  test('kernel tests pass in the page', async () => {
    await withBrowser(async (page, origin) => {
      await page.goto(`${origin}/lib/kernels.html`);
      await page.waitForFunction(() => /Duration:/.test(document.getElementById('log')?.textContent ?? ''), { timeout: 300_000 });
      const log = await page.$eval('#log', (element) => element.textContent ?? '');
      const total = Number(/Total:\s+(\d+)/.exec(log)?.[1]);
      const passed = Number(/Passed:\s+(\d+)/.exec(log)?.[1]);
      assert.ok(total >= 12, `only ${total} kernel tests ran in the page:\n${log}`);
      assert.is(passed, total, log);
    });
  });

  test('demo page compresses end to end', async () => {
    await withBrowser(async (page, origin) => {
      await page.setViewport({ width: 1150, height: 1300 });
      await page.goto(`${origin}/`);
      await page.waitForFunction(() => (document.getElementById('source')?.textContent ?? '').includes('letter.csv'));
      await page.select('#dataset', 'two_class_dat.csv');
      await page.waitForFunction(() => (document.getElementById('source')?.textContent ?? '').startsWith('two_class_dat.csv: 791 rows'));
      for (const [id, value] of [
        ['pseudo', '3000'],
        ['epochs', '15'],
      ]) {
        await page.$eval(`#${id}`, (element, v) => ((element as HTMLInputElement).value = v), value);
      }
      await page.click('#run');
      await page.waitForFunction(() => document.getElementById('table') !== null || (document.getElementById('error')?.textContent ?? '') !== '', { timeout: 300_000 });
      assert.is(await page.$eval('#error', (element) => element.textContent), '');

      const cells = await page.$$eval('#table tr', (rows) => rows.slice(1).map((row) => Array.from(row.querySelectorAll('td'), (td) => td.textContent ?? '')));
      assert.equal(cells.map((row) => row[0]), ['ensemble', 'single', 'ann', 'student']);
      for (const row of cells) {
        const rmse = Number(row[1]);
        assert.ok(rmse > 0, `${row[0]} RMSE ${row[1]}`);
        assert.ok(rmse < 0.5, `${row[0]} RMSE ${row[1]}`);
        assert.ok(Number(row[3]) > 0.7, `${row[0]} AUC ${row[3]}`);
      }
      assert.match(await page.$eval('#summary', (element) => element.textContent ?? ''), /smaller and .* faster than the ensemble/);
      const progress = await page.$$eval('progress', (bars) => bars.map((bar) => (bar as HTMLProgressElement).value));
      assert.equal(progress, [1, 1, 1, 1, 1, 1, 1]);
      assert.ok((await page.$eval('#log', (element) => element.textContent ?? '')).includes('[student] epoch 15'), 'student epochs in the log');

      // The screenshot is a test artifact: the finished table, the loss chart and the scatter.
      const artifacts = fileURLToPath(new URL('build/artifacts/', root));
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'demo.png') as `${string}.png`, fullPage: true });
    });
  });
  test.run();
}
