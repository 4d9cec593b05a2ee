// scratch: compare JS kernel variants for a 28-64-32-1 relu net
const n0 = 28, h1 = 64, h2 = 32;
const rows = 1000;
function rnd(n: number) { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1; return a; }
const x = rnd(rows * n0); for (let i = 0; i < x.length; i++) if (i % 3 === 0) x[i] = 0;
const layers = [{ n: n0, u: h1, wT: rnd(n0 * h1), w: rnd(n0 * h1), b: rnd(h1) }, { n: h1, u: h2, wT: rnd(h1 * h2), w: rnd(h1 * h2), b: rnd(h2) }, { n: h2, u: 1, wT: rnd(h2), w: rnd(h2), b: rnd(1) }];
const bufA = new Float32Array(rows * 64), bufB = new Float32Array(rows * 64);
const macs = n0 * h1 + h1 * h2 + h2;
function dot4(wt: Float32Array, b: Float32Array, n: number, units: number, input: Float32Array, output: Float32Array, rows: number) {
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = r * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, o = r * units;
    for (let j = 0; j < units; j++) {
      const bb = b[j]!; let a0 = bb, a1 = bb, a2 = bb, a3 = bb; const wj = j * n;
      for (let k = 0; k < n; k++) { const wk = wt[wj + k]!; a0 += wk * input[x0 + k]!; a1 += wk * input[x1 + k]!; a2 += wk * input[x2 + k]!; a3 += wk * input[x3 + k]!; }
      output[o + j] = a0; output[o + units + j] = a1; output[o + 2 * units + j] = a2; output[o + 3 * units + j] = a3;
    }
  }
}
const acc = new Float64Array(64);
function axpy(w: Float32Array, b: Float32Array, n: number, units: number, input: Float32Array, output: Float32Array, rows: number) {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < units; j++) acc[j] = b[j]!;
    const xo = r * n;
    for (let k = 0; k < n; k++) { const xk = input[xo + k]!; if (xk === 0) continue; const wo = k * units; for (let j = 0; j < units; j++) acc[j]! += xk * w[wo + j]!; }
    const o = r * units; for (let j = 0; j < units; j++) output[o + j] = acc[j]!;
  }
}
const acc32 = new Float32Array(64);
function axpy32(w: Float32Array, b: Float32Array, n: number, units: number, input: Float32Array, output: Float32Array, rows: number) {
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    for (let j = 0; j < units; j++) output[o+j] = b[j]!;
    const xo = r * n;
    for (let k = 0; k < n; k++) { const xk = input[xo + k]!; if (xk === 0) continue; const wo = k * units; for (let j = 0; j < units; j++) output[o+j] = output[o+j]! + xk * w[wo + j]!; }
  }
}
function dot8(wt: Float32Array, b: Float32Array, n: number, units: number, input: Float32Array, output: Float32Array, rows: number) {
  // 4 rows x 2 units
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const x0 = r * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n, o = r * units;
    let j = 0;
    for (; j + 2 <= units; j += 2) {
      const b0 = b[j]!, b1 = b[j+1]!; let a0 = b0, a1 = b0, a2 = b0, a3 = b0, c0 = b1, c1 = b1, c2 = b1, c3 = b1; const wj = j * n, wj1 = wj + n;
      for (let k = 0; k < n; k++) { const w0 = wt[wj + k]!, w1 = wt[wj1 + k]!; const i0 = input[x0 + k]!, i1 = input[x1 + k]!, i2 = input[x2 + k]!, i3 = input[x3 + k]!;
        a0 += w0 * i0; a1 += w0 * i1; a2 += w0 * i2; a3 += w0 * i3; c0 += w1 * i0; c1 += w1 * i1; c2 += w1 * i2; c3 += w1 * i3; }
      output[o + j] = a0; output[o + units + j] = a1; output[o + 2 * units + j] = a2; output[o + 3 * units + j] = a3;
      output[o + j+1] = c0; output[o + units + j+1] = c1; output[o + 2 * units + j+1] = c2; output[o + 3 * units + j+1] = c3;
    }
    for (; j < units; j++) { const bb = b[j]!; let a0 = bb, a1 = bb, a2 = bb, a3 = bb; const wj = j * n;
      for (let k = 0; k < n; k++) { const wk = wt[wj + k]!; a0 += wk * input[x0 + k]!; a1 += wk * input[x1 + k]!; a2 += wk * input[x2 + k]!; a3 += wk * input[x3 + k]!; }
      output[o + j] = a0; output[o + units + j] = a1; output[o + 2 * units + j] = a2; output[o + 3 * units + j] = a3; }
  }
}
function relu(a: Float32Array, n: number) { for (let i = 0; i < n; i++) if (a[i]! < 0) a[i] = 0; }
function run(kind: string, f: typeof dot4) {
  const go = () => { f(kind.startsWith('dot') ? layers[0]!.wT : layers[0]!.w, layers[0]!.b, n0, h1, x, bufA, rows); relu(bufA, rows * h1);
    f(kind.startsWith('dot') ? layers[1]!.wT : layers[1]!.w, layers[1]!.b, h1, h2, bufA, bufB, rows); relu(bufB, rows * h2);
    f(kind.startsWith('dot') ? layers[2]!.wT : layers[2]!.w, layers[2]!.b, h2, 1, bufB, bufA, rows); };
  for (let i = 0; i < 50; i++) go();
  const t = performance.now(); let c = 0; while (performance.now() - t < 1500) { go(); c++; }
  const s = (performance.now() - t) / 1000; console.log(kind, Math.round(c * rows / s), 'rows/s', (c * rows * macs / s / 1e9).toFixed(2), 'GMAC/s');
}
run('dot4', dot4); run('axpy', axpy); run('axpy32', axpy32); run('dot8', dot8);
