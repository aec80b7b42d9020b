/**
 * Quantile bins of the encoded columns. Trees search splits over bin boundaries with histograms
 * instead of over sorted values, so a node costs one pass over its rows per candidate column.
 *
 * Bin b of a column contains the values in (edges[b - 1], edges[b]], so a split after bin b is the
 * test `x <= edges[b]`, which prediction applies to the raw f32 values. Edges lie between two
 * distinct training values, so the test sends every training value to the side its bin is on.
 */
export interface Bins {
  rows: number;
  cols: number;
  /** Per column, ascending f32 thresholds; column c has edges[c].length + 1 bins. */
  edges: Float32Array[];
  /** Per column and bin, the smallest and largest training value in it (NaN for an empty bin). */
  low: Float64Array[];
  high: Float64Array[];
  /** Bin codes, column-major: byColumn[c * rows + r]. */
  byColumn: Uint8Array;
  /** Bin codes, row-major: byRow[r * cols + c]. */
  byRow: Uint8Array;
  /** Number of bins of column c is binCount[c]; binOffset[c] is the sum over earlier columns. */
  binCount: Int32Array;
  binOffset: Int32Array;
  totalBins: number;
}

/**
 * Returns an f32 threshold t with a <= t < b for f32 values a < b: their midpoint when it rounds
 * strictly below b, else a itself.
 */
export function thresholdBetween(a: number, b: number): number {
  const middle = Math.fround(a + (b - a) / 2);
  return middle >= a && middle < b ? middle : a;
}

/** Returns the ascending thresholds of one column's values (already f32) for at most `maxBins` bins. */
export function columnEdges(values: Float32Array, maxBins: number): Float32Array {
  const sorted = Float32Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  const distinct: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct.push(sorted[i]);
  }
  const edges: number[] = [];
  if (distinct.length <= maxBins) {
    for (let i = 0; i + 1 < distinct.length; i++) edges.push(thresholdBetween(distinct[i], distinct[i + 1]));
    return Float32Array.from(edges);
  }

  // Too many distinct values: cut after the value at each quantile j / maxBins, between it and
  // the next larger value, and skip a cut that repeats the one before.
  const n = sorted.length;
  let next = 0;
  for (let j = 1; j < maxBins; j++) {
    const value = sorted[Math.ceil((j * n) / maxBins) - 1];
    while (next < distinct.length && distinct[next] <= value) next++;
    if (next >= distinct.length) break;
    const edge = thresholdBetween(value, distinct[next]);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return Float32Array.from(edges);
}

/** Returns the bin of `value` under `edges`: the number of edges below it. */
export function binOf(edges: Float32Array, value: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bins the training rows x (rows x cols, row-major) into at most `maxBins` quantile bins per
 * column. A NaN value would go right of every threshold at prediction, so it takes the last bin.
 */
export function fitBins(x: Float32Array, rows: number, cols: number, maxBins: number): Bins {
  if (x.length !== rows * cols) throw new RangeError(`fitBins: x has ${x.length} values, expected ${rows}x${cols}`);
  if (maxBins < 2 || maxBins > 256) throw new RangeError(`fitBins: maxBins must be from 2 to 256, got ${maxBins}`);
  const byColumn = new Uint8Array(rows * cols);
  const byRow = new Uint8Array(rows * cols);
  const edges: Float32Array[] = [];
  const low: Float64Array[] = [];
  const high: Float64Array[] = [];
  const binCount = new Int32Array(cols);
  const binOffset = new Int32Array(cols);
  const column = new Float32Array(rows);
  let totalBins = 0;

  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) column[r] = x[r * cols + c];
    const columnEdgeList = columnEdges(column, maxBins);
    const bins = columnEdgeList.length + 1;
    const lowValues = new Float64Array(bins).fill(NaN);
    const highValues = new Float64Array(bins).fill(NaN);
    for (let r = 0; r < rows; r++) {
      const value = column[r];
      const bin = Number.isNaN(value) ? bins - 1 : binOf(columnEdgeList, value);
      byColumn[c * rows + r] = bin;
      byRow[r * cols + c] = bin;
      if (Number.isNaN(value)) continue;
      if (!(value >= lowValues[bin])) lowValues[bin] = value;
      if (!(value <= highValues[bin])) highValues[bin] = value;
    }
    edges.push(columnEdgeList);
    low.push(lowValues);
    high.push(highValues);
    binCount[c] = bins;
    binOffset[c] = totalBins;
    totalBins += bins;
  }
  return { rows, cols, edges, low, high, byColumn, byRow, binCount, binOffset, totalBins };
}
