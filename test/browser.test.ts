// The library bundle in headless Chromium with WebGPU on SwiftShader: a kernel against a float64
// reference and a small compression, run by the page test/browser/page.html.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = new URL('../../', import.meta.url);

// Only these two files are served: the page and the library bundle it imports.
const files: Record<string, { path: URL; type: string }> = {
  '/': { path: new URL('test/browser/page.html', root), type: 'text/html' },
  '/index.js': { path: new URL('dist/index.js', root), type: 'text/javascript' },
};

function serve(): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files[request.url ?? ''];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type }).end(readFileSync(file.path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

if (!existsSync(chromium) && process.env.CI !== 'true') {
  // A developer machine without Chromium skips this file visibly; CI installs Chromium and runs it.
  console.log(`browser tests skipped: ${chromium} not found (apt-get install chromium, or set CHROMIUM_PATH)`);
} else {
  test('library runs in headless Chromium', async () => {
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
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      await page.waitForFunction(() => document.getElementById('result')?.textContent !== 'running', { timeout: 300_000 });
      const text = await page.$eval('#result', (element) => element.textContent ?? '');
      assert.not.match(text, /^error:/, text);
      const result = JSON.parse(text);
      assert.match(result.adapter, /swiftshader/i);
      assert.ok(result.matmulError <= 1e-4, `matmul relative error ${result.matmulError}`);
      assert.equal(result.rows, { train: 300, validation: 75, test: 225, pseudo: 3000 });
      for (const model of ['ensemble', 'ann', 'student']) {
        const scores = result.models[model];
        assert.ok(scores.rmse > 0 && scores.rmse < 0.45, `${model} RMSE ${scores.rmse}`);
        assert.ok(scores.auc > 0.7, `${model} AUC ${scores.auc}`);
      }
    } finally {
      await browser.close();
      server.close();
    }
  });
  test.run();
}
