// The demo page: picks a data set, starts the worker, and draws progress, charts and results.
import { parseCsv } from '../src/data/csv.js';
import type { EpochReport } from '../src/models/train.js';
import type { ModelScores, Stage } from '../src/pipeline/compress.js';
import type { RunRequest, WorkerMessage } from './protocol.js';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const stages: Stage[] = ['data', 'teacher', 'ann', 'pseudo', 'label', 'student', 'evaluate'];

let csvText = '';
let csvSource = '';
let studentHistory: EpochReport[] = [];
let scatter: { names: string[]; original?: { rows: number; values: Float32Array }; pseudo?: { rows: number; values: Float32Array } } = { names: [] };

function showError(message: string): void {
  byId('error').textContent = message;
}

function log(line: string): void {
  const element = byId('log');
  element.textContent += line + '\n';
  element.scrollTop = element.scrollHeight;
}

/** Loads CSV text, lists its columns as target choices and picks a sensible default target. */
function useCsv(text: string, source: string): void {
  showError('');
  try {
    const table = parseCsv(text, source);
    csvText = text;
    csvSource = source;
    const select = byId<HTMLSelectElement>('target');
    select.replaceChildren(...table.columns.map((c) => new Option(c.name, c.name)));
    const defaults: Record<string, [string, string]> = {
      'letter.csv': ['lettr', 'A,B,C,D,E,F,G,H,I,J,K,L,M'],
      'two_class_dat.csv': ['Class', ''],
      'penguins.csv': ['species', ''],
    };
    const [target, positive] = defaults[source] ?? [table.columns[table.columns.length - 1].name, ''];
    select.value = target;
    byId<HTMLInputElement>('positive').value = positive;
    byId('source').textContent = `${source}: ${table.rowCount} rows, ${table.columns.length} columns`;
  } catch (error) {
    showError((error as Error).message);
  }
}

async function loadShipped(name: string): Promise<void> {
  const response = await fetch(`data/${name}`);
  if (!response.ok) {
    showError(`could not load data/${name}: HTTP ${response.status}`);
    return;
  }
  useCsv(await response.text(), name);
}

function renderStages(): void {
  byId('stages').replaceChildren(
    ...stages.map((stage) => {
      const row = document.createElement('div');
      row.className = 'stage';
      row.innerHTML = `<span>${stage}</span><progress id="progress-${stage}" max="1" value="0"></progress><span id="message-${stage}"></span>`;
      return row;
    }),
  );
}

function drawLoss(): void {
  const canvas = byId<HTMLCanvasElement>('loss');
  const context = canvas.getContext('2d')!;
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (studentHistory.length === 0) return;

  const pad = 30;
  const width = canvas.width - 2 * pad;
  const height = canvas.height - 2 * pad;
  const epochs = Math.max(2, studentHistory.length);
  const series: Array<[string, (e: EpochReport) => number]> = [
    ['#000', (e) => e.trainLoss],
    ['#36c', (e) => e.validationRmse],
  ];
  const top = Math.max(...studentHistory.flatMap((e) => [e.trainLoss, e.validationRmse]));

  // Frame and labels, then one line per series.
  context.strokeStyle = '#999';
  context.strokeRect(pad, pad, width, height);
  context.fillStyle = '#444';
  context.fillText(top.toFixed(3), 2, pad + 4);
  context.fillText('0', 2, pad + height);
  context.fillText(`epoch ${studentHistory.length}`, pad + width - 60, pad + height + 16);

  for (const [colour, value] of series) {
    context.strokeStyle = colour;
    context.beginPath();
    studentHistory.forEach((e, i) => {
      const x = pad + (i / (epochs - 1)) * width;
      const y = pad + height - (value(e) / top) * height;
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.stroke();
  }
}

function drawScatter(): void {
  const canvas = byId<HTMLCanvasElement>('scatter');
  const context = canvas.getContext('2d')!;
  context.clearRect(0, 0, canvas.width, canvas.height);
  const x = Number(byId<HTMLSelectElement>('xAxis').value);
  const y = Number(byId<HTMLSelectElement>('yAxis').value);
  const columns = scatter.names.length;
  if (columns === 0) return;
  const pad = 10;
  const plot = (set: { rows: number; values: Float32Array } | undefined, colour: string) => {
    if (!set) return;
    context.fillStyle = colour;
    for (let r = 0; r < set.rows; r++) {
      // Encoded values are on the [0, 1] training scale; pseudo rows can stray a little outside it.
      const px = pad + Math.min(Math.max(set.values[r * columns + x], -0.05), 1.05) * (canvas.width - 2 * pad);
      const py = canvas.height - pad - Math.min(Math.max(set.values[r * columns + y], -0.05), 1.05) * (canvas.height - 2 * pad);
      context.fillRect(px - 1, py - 1, 2, 2);
    }
  };
  plot(scatter.pseudo, 'rgba(230, 120, 0, 0.35)');
  plot(scatter.original, 'rgba(30, 80, 200, 0.8)');
}

function formatBytes(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function renderResults(message: Extract<WorkerMessage, { type: 'done' }>): void {
  const row = (name: string, s: ModelScores) =>
    `<tr><td>${name}</td><td>${s.rmse.toFixed(4)}</td><td>${s.accuracy.toFixed(4)}</td><td>${Number.isFinite(s.auc) ? s.auc.toFixed(4) : '-'}</td><td>${formatBytes(s.bytes)}</td><td>${s.msPer10k.toFixed(1)}</td></tr>`;
  const { ensemble, single, ann, student } = message.models;
  const gain = ensemble.rmse < ann.rmse ? `The student kept ${(100 * message.gainKept).toFixed(0)}% of the ensemble's RMSE gain over ann. ` : '';
  byId('results').innerHTML = `
    <h2>${message.problem}</h2>
    <div>${message.rows.train} train, ${message.rows.validation} validation, ${message.rows.test} test rows; ${message.rows.pseudo} pseudo rows</div>
    <table id="table">
      <tr><th>model</th><th>RMSE</th><th>accuracy</th><th>AUC</th><th>size</th><th>ms per 10k rows</th></tr>
      ${row('ensemble', ensemble)}${row('single', single)}${row('ann', ann)}${row('student', student)}
    </table>
    <p id="summary">${gain}The student is ${(ensemble.bytes / student.bytes).toFixed(1)}x smaller and ${(ensemble.msPer10k / student.msPer10k).toFixed(1)}x faster than the ensemble.</p>
    <button id="download">Download student.json</button>`;
  byId('download').onclick = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([message.student], { type: 'application/json' }));
    link.download = 'student.json';
    link.click();
  };
}

function onWorkerMessage(message: WorkerMessage, worker: Worker): void {
  if (message.type === 'error') {
    showError(message.message);
    byId<HTMLButtonElement>('run').disabled = false;
    worker.terminate();
    return;
  }
  if (message.type === 'columns') {
    scatter = { names: message.names, original: message.original };
    const options = () => message.names.map((name, i) => new Option(name, String(i)));
    byId<HTMLSelectElement>('xAxis').replaceChildren(...options());
    byId<HTMLSelectElement>('yAxis').replaceChildren(...options());
    // Prefer continuous columns: a one-hot column has only two values and plots as a few dots.
    const continuous = message.names.flatMap((name, i) => (name.includes('=') ? [] : [i]));
    const [x, y] = continuous.length >= 2 ? continuous : [0, Math.min(1, message.names.length - 1)];
    byId<HTMLSelectElement>('xAxis').value = String(x);
    byId<HTMLSelectElement>('yAxis').value = String(y);
    drawScatter();
    return;
  }
  if (message.type === 'done') {
    renderResults(message);
    byId<HTMLButtonElement>('run').disabled = false;
    worker.terminate();
    return;
  }
  const event = message.event;
  byId<HTMLProgressElement>(`progress-${event.stage}`).value = event.fraction ?? 0;
  byId(`message-${event.stage}`).textContent = event.message;
  log(`[${event.stage}] ${event.message}`);
  if (event.stage === 'student' && event.epoch) {
    studentHistory.push(event.epoch);
    drawLoss();
  }
  if (event.pseudoSample) {
    scatter.pseudo = event.pseudoSample;
    drawScatter();
  }
}

function run(): void {
  showError('');
  if (!csvText) {
    showError('load a data set first');
    return;
  }

  const number = (id: string) => Number(byId<HTMLInputElement>(id).value);
  const positive = byId<HTMLInputElement>('positive')
    .value.split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  const request: RunRequest = {
    type: 'run',
    csv: csvText,
    source: csvSource,
    target: byId<HTMLSelectElement>('target').value,
    positive: positive.length > 0 ? positive : undefined,
    pseudo: number('pseudo'),
    hidden: number('hidden'),
    library: byId<HTMLSelectElement>('library').value as RunRequest['library'],
    epochs: number('epochs'),
  };

  // Clear the previous run's output.
  studentHistory = [];
  scatter = { names: [] };
  byId('results').replaceChildren();
  byId('log').textContent = '';
  renderStages();
  drawLoss();
  drawScatter();

  byId<HTMLButtonElement>('run').disabled = true;
  const worker = new Worker('worker.js', { type: 'module' });
  worker.onmessage = (event: MessageEvent<WorkerMessage>) => onWorkerMessage(event.data, worker);
  worker.onerror = (event) => {
    showError(`the worker failed: ${event.message}`);
    byId<HTMLButtonElement>('run').disabled = false;
  };
  worker.postMessage(request);
}

function setup(): void {
  if (!('gpu' in navigator)) {
    showError(
      'This browser does not expose WebGPU (navigator.gpu is missing). Use Chrome or Edge 113 or newer, or start Chromium with --enable-unsafe-webgpu, and open the page from http://127.0.0.1 or https://.',
    );
    byId<HTMLButtonElement>('run').disabled = true;
  }
  renderStages();
  byId<HTMLSelectElement>('dataset').onchange = (event) => loadShipped((event.target as HTMLSelectElement).value);
  byId<HTMLInputElement>('file').onchange = async (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) useCsv(await file.text(), file.name);
  };
  const drop = byId('drop');
  drop.ondragover = (event) => {
    event.preventDefault();
    drop.classList.add('over');
  };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = async (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    const file = event.dataTransfer?.files[0];
    if (file) useCsv(await file.text(), file.name);
  };
  byId('xAxis').onchange = drawScatter;
  byId('yAxis').onchange = drawScatter;
  byId('run').onclick = run;
  loadShipped('letter.csv');
}

setup();
