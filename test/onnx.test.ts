// ONNX export: onnxruntime-web (WASM, in Node) runs the exported student and matches the engine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Random } from '../src/data/random.js';
import { studentToOnnx } from '../src/export/onnx.js';
import { Mlp } from '../src/models/mlp.js';
import { randomArray, relativeError, testEngine } from './helpers.js';

test('onnx export matches engine predictions', async () => {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  const engine = await testEngine();
  const random = new Random(41);
  for (const [hidden, outputs] of [
    [[37], 1],
    [[23, 11], 4],
  ] as Array<[number[], number]>) {
    const inputs = 13;
    const rows = 101;
    const mlp = Mlp.create(engine, { inputs, hidden, outputs }, 3);
    const xData = randomArray(random, rows * inputs, -1, 2);
    const x = engine.tensor(rows, inputs, xData);
    const p = mlp.predict(x);
    const expected = await engine.read(p);

    const session = await ort.InferenceSession.create(studentToOnnx(await mlp.export()));
    const result = await session.run({ input: new ort.Tensor('float32', xData, [rows, inputs]) });
    const got = result.probabilities.data as Float32Array;
    assert.equal(result.probabilities.dims, [rows, outputs]);
    const error = relativeError(got, expected);
    assert.ok(error <= 1e-5, `${hidden.join('x')} hidden, ${outputs} outputs: relative error ${error}`);
    let maxAbs = 0;
    for (let i = 0; i < got.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i] - expected[i]));
    assert.ok(maxAbs <= 1e-5, `max absolute difference ${maxAbs}`);
    await session.release();
    for (const t of [x, p]) t.release();
    mlp.release();
  }
});

test.run();
