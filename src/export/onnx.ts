/**
 * Writes a student as an ONNX model (opset 13): Gemm and Relu per hidden layer, then Gemm and
 * Sigmoid (one output) or Softmax over axis 1. Input `input` is N x encoded width, the rows encoded
 * as the student file's encoder does; output `probabilities` is N x outputs.
 *
 * The protobuf is written by hand from onnx.proto's field numbers, which keeps the library free of a
 * protobuf dependency for five message types.
 */
import type { ExportedLayer } from '../models/mlp.js';

/** Protobuf wire format: varints, and length-delimited fields for strings, bytes and messages. */
class ProtoWriter {
  private readonly chunks: number[] = [];

  private varint(value: number): void {
    let v = value;
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
  }

  int(field: number, value: number): this {
    this.varint(field * 8);
    this.varint(value);
    return this;
  }

  bytes(field: number, data: Uint8Array): this {
    this.varint(field * 8 + 2);
    this.varint(data.length);
    for (const b of data) this.chunks.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, inner: ProtoWriter): this {
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const FLOAT = 1;
const ATTRIBUTE_INT = 2;

function tensor(name: string, dims: number[], values: Float32Array): ProtoWriter {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  const proto = new ProtoWriter();
  for (const d of dims) proto.int(1, d);
  return proto.int(2, FLOAT).string(8, name).bytes(9, raw);
}

/** Describes a float matrix value whose first dimension is the symbolic batch size `rows`. */
function valueInfo(name: string, columns: number): ProtoWriter {
  const shape = new ProtoWriter().message(1, new ProtoWriter().string(2, 'rows')).message(1, new ProtoWriter().int(1, columns));
  const tensorType = new ProtoWriter().int(1, FLOAT).message(2, shape);
  return new ProtoWriter().string(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

function node(op: string, inputs: string[], output: string, attributes: ProtoWriter[] = []): ProtoWriter {
  const proto = new ProtoWriter();
  for (const input of inputs) proto.string(1, input);
  proto.string(2, output).string(3, output).string(4, op);
  for (const attribute of attributes) proto.message(5, attribute);
  return proto;
}

/** Serialises the student's layers into ONNX model bytes. */
export function studentToOnnx(layers: ExportedLayer[], name = 'webgpu-mimic student'): Uint8Array {
  const graph = new ProtoWriter();
  let current = 'input';
  layers.forEach((layer, l) => {
    graph.message(1, node('Gemm', [current, `W${l}`, `B${l}`], `Z${l}`));
    current = `Z${l}`;
    if (layer.activation === 'relu') {
      graph.message(1, node('Relu', [current], `H${l}`));
      current = `H${l}`;
    }
  });
  const outputs = layers[layers.length - 1].outputs;
  if (outputs === 1) {
    graph.message(1, node('Sigmoid', [current], 'probabilities'));
  } else {
    const axis = new ProtoWriter().string(1, 'axis').int(3, 1).int(20, ATTRIBUTE_INT);
    graph.message(1, node('Softmax', [current], 'probabilities', [axis]));
  }
  graph.string(2, name);
  layers.forEach((layer, l) => {
    graph.message(5, tensor(`W${l}`, [layer.inputs, layer.outputs], layer.weights));
    graph.message(5, tensor(`B${l}`, [layer.outputs], layer.bias));
  });
  graph.message(11, valueInfo('input', layers[0].inputs));
  graph.message(12, valueInfo('probabilities', outputs));

  return new ProtoWriter()
    .int(1, 8)
    .string(2, 'webgpu-mimic')
    .message(7, graph)
    .message(8, new ProtoWriter().string(1, '').int(2, 13))
    .finish();
}
