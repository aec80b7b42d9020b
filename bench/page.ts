// The benchmark page's script: runs the cases of bench/cases.ts on the browser's WebGPU, for
// `npm run bench -- --browser` (bench/bench.ts), which calls window.runMimicBench through puppeteer.
import { createEngine } from '../src/gpu/engine.js';
import { runBench, type BenchOptions, type BenchReport } from './cases.js';

declare global {
  interface Window {
    runMimicBench(options: BenchOptions): Promise<BenchReport>;
  }
}

window.runMimicBench = async (options) => {
  const engine = await createEngine();
  try {
    const rows = await runBench(engine, options, (line) => console.log(line));
    return { adapter: { name: engine.adapterName }, runtime: 'browser', runtimeVersion: navigator.userAgent, date: new Date().toISOString(), options, rows };
  } finally {
    engine.destroy();
  }
};
