import { RuntimeError } from '../errors.ts';
import {
  BITSET_WORDS,
  CATEGORICAL,
  MISSING_LEFT,
  TREE_LINKS,
  type TreeEnsemble,
  type TreeLink,
} from './ensemble.ts';

/** The trees.bin format this build writes and reads; FORMAT.md describes it. */
export const TREE_FILE_FORMAT = 1;

const MAGIC = [0x54, 0x4e, 0x44, 0x54]; // "TNDT"
const PREFIX_BYTES = 12; // magic, format, header length

interface TreeFileHeader {
  format: number;
  link: TreeLink;
  outputs: number;
  inputWidth: number;
  trees: number;
  nodes: number;
  bitsetWords: number;
  featureNames: string[];
}

type Section = {
  name: string;
  bytes: number;
  view: (buffer: ArrayBuffer, at: number) => ArrayBufferView;
};

/** Sections in file order, each starting on an 8-byte boundary. */
function sections(h: TreeFileHeader): Section[] {
  const n = h.nodes;
  const t = h.trees;
  return [
    { name: 'baseline', bytes: 8 * h.outputs, view: (b, at) => new Float64Array(b, at, h.outputs) },
    { name: 'treeStart', bytes: 4 * (t + 1), view: (b, at) => new Uint32Array(b, at, t + 1) },
    { name: 'treeOutput', bytes: 4 * t, view: (b, at) => new Uint32Array(b, at, t) },
    { name: 'feature', bytes: 4 * n, view: (b, at) => new Int32Array(b, at, n) },
    { name: 'threshold', bytes: 4 * n, view: (b, at) => new Float32Array(b, at, n) },
    { name: 'flags', bytes: n, view: (b, at) => new Uint8Array(b, at, n) },
    { name: 'left', bytes: 4 * n, view: (b, at) => new Int32Array(b, at, n) },
    { name: 'right', bytes: 4 * n, view: (b, at) => new Int32Array(b, at, n) },
    { name: 'value', bytes: 8 * n, view: (b, at) => new Float64Array(b, at, n) },
    { name: 'cover', bytes: 4 * n, view: (b, at) => new Uint32Array(b, at, n) },
    { name: 'gain', bytes: 4 * n, view: (b, at) => new Float32Array(b, at, n) },
    { name: 'bitsetOffset', bytes: 4 * n, view: (b, at) => new Int32Array(b, at, n) },
    {
      name: 'bitsets',
      bytes: 4 * h.bitsetWords,
      view: (b, at) => new Uint32Array(b, at, h.bitsetWords),
    },
  ];
}

const align8 = (n: number) => (n + 7) & ~7;

function checkLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
    throw new Error('trees.bin is little-endian; this machine is not');
  }
}

/**
 * The bytes of trees.bin: a 12-byte prefix ("TNDT", format, header length), a JSON header
 * padded with spaces to 8 bytes, then the arrays little-endian, each on an 8-byte boundary.
 * The same ensemble always gives the same bytes.
 */
export function encodeTreeFile(ensemble: TreeEnsemble): Uint8Array {
  checkLittleEndian();
  checkEnsemble(ensemble);
  const header: TreeFileHeader = {
    format: TREE_FILE_FORMAT,
    link: ensemble.link,
    outputs: ensemble.outputs,
    inputWidth: ensemble.inputWidth,
    trees: ensemble.treeOutput.length,
    nodes: ensemble.feature.length,
    bitsetWords: ensemble.bitsets.length,
    featureNames: ensemble.featureNames,
  };
  let json = JSON.stringify(header);
  const raw = new TextEncoder().encode(json);
  json += ' '.repeat(align8(PREFIX_BYTES + raw.length) - PREFIX_BYTES - raw.length);
  const headerBytes = new TextEncoder().encode(json);
  const layout = sections(header);
  let size = PREFIX_BYTES + headerBytes.length;
  for (const section of layout) size += align8(section.bytes);
  const out = new Uint8Array(size);
  out.set(MAGIC, 0);
  const prefix = new DataView(out.buffer);
  prefix.setUint32(4, TREE_FILE_FORMAT, true);
  prefix.setUint32(8, headerBytes.length, true);
  out.set(headerBytes, PREFIX_BYTES);
  let at = PREFIX_BYTES + headerBytes.length;
  for (const section of layout) {
    const source = ensemble[section.name as keyof TreeEnsemble] as ArrayBufferView;
    out.set(new Uint8Array(source.buffer, source.byteOffset, section.bytes), at);
    at += align8(section.bytes);
  }
  return out;
}

/**
 * Reads trees.bin and checks it completely (sizes, child links, features, bitsets), so that
 * evaluation can never index outside the arrays. TANDEM_MODEL_FILES_INVALID says what is wrong.
 */
export function decodeTreeFile(bytes: Uint8Array): TreeEnsemble {
  checkLittleEndian();
  try {
    if (bytes.length < PREFIX_BYTES || MAGIC.some((m, i) => bytes[i] !== m)) {
      throw new Error('does not start with "TNDT"');
    }
    const prefix = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const format = prefix.getUint32(4, true);
    if (format !== TREE_FILE_FORMAT) {
      throw new Error(`has format ${format}; this build reads format ${TREE_FILE_FORMAT}`);
    }
    const headerLength = prefix.getUint32(8, true);
    if (PREFIX_BYTES + headerLength > bytes.length) throw new Error('is shorter than its header');
    const header = parseHeader(
      new TextDecoder('utf-8', { fatal: true }).decode(
        bytes.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength),
      ),
    );
    // Copy into a fresh, aligned buffer: typed-array views need aligned offsets.
    const buffer = new ArrayBuffer(bytes.length);
    new Uint8Array(buffer).set(bytes);
    let at = PREFIX_BYTES + headerLength;
    const arrays: Record<string, ArrayBufferView> = {};
    for (const section of sections(header)) {
      if (at + section.bytes > bytes.length) throw new Error(`is truncated in ${section.name}`);
      arrays[section.name] = section.view(buffer, at);
      at += align8(section.bytes);
    }
    if (at !== bytes.length) throw new Error(`has ${bytes.length - at} bytes after its arrays`);
    const ensemble = {
      inputWidth: header.inputWidth,
      outputs: header.outputs,
      link: header.link,
      featureNames: header.featureNames,
      ...arrays,
    } as TreeEnsemble;
    checkEnsemble(ensemble);
    return ensemble;
  } catch (error) {
    throw new RuntimeError(
      'TANDEM_MODEL_FILES_INVALID',
      `trees.bin ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

function parseHeader(text: string): TreeFileHeader {
  const value = JSON.parse(text) as Record<string, unknown>;
  const count = (key: string, min = 0): number => {
    const v = value[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new Error(
        `header field "${key}" must be an integer ≥ ${min}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const link = value.link as TreeLink;
  if (!TREE_LINKS.includes(link)) {
    throw new Error(`header field "link" must be one of ${TREE_LINKS.join(', ')}`);
  }
  const names = value.featureNames;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) {
    throw new Error('header field "featureNames" must be a list of strings');
  }
  return {
    format: count('format', 1),
    link,
    outputs: count('outputs', 1),
    inputWidth: count('inputWidth', 1),
    trees: count('trees'),
    nodes: count('nodes'),
    bitsetWords: count('bitsetWords'),
    featureNames: names as string[],
  };
}

/** Every invariant the engine relies on; throws a plain Error naming the first broken one. */
export function checkEnsemble(e: TreeEnsemble): void {
  const n = e.feature.length;
  const trees = e.treeOutput.length;
  if (e.featureNames.length !== e.inputWidth) {
    throw new Error(`lists ${e.featureNames.length} feature names for ${e.inputWidth} features`);
  }
  if (e.baseline.length !== e.outputs) throw new Error('has a baseline per output missing');
  if (e.link === 'softmax' ? e.outputs < 2 : e.outputs !== 1) {
    throw new Error(`has ${e.outputs} outputs for link "${e.link}"`);
  }
  for (const [name, array] of Object.entries({
    threshold: e.threshold,
    flags: e.flags,
    left: e.left,
    right: e.right,
    value: e.value,
    cover: e.cover,
    gain: e.gain,
    bitsetOffset: e.bitsetOffset,
  })) {
    if (array.length !== n) throw new Error(`has ${array.length} ${name} entries for ${n} nodes`);
  }
  if (e.treeStart.length !== trees + 1 || e.treeStart[0] !== 0 || e.treeStart[trees] !== n) {
    throw new Error('has tree offsets that do not cover the nodes');
  }
  if (e.bitsets.length % BITSET_WORDS !== 0) throw new Error('has a partial bitset');
  for (let t = 0; t < trees; t++) {
    const start = e.treeStart[t]!;
    const size = e.treeStart[t + 1]! - start;
    if (size < 1) throw new Error(`tree ${t} has no node`);
    if (e.treeOutput[t]! >= e.outputs) throw new Error(`tree ${t} adds to a missing output`);
    for (let local = 0; local < size; local++) {
      const i = start + local;
      const f = e.feature[i]!;
      if (f === -1) {
        if (e.left[i] !== -1 || e.right[i] !== -1) throw new Error(`leaf ${i} has children`);
        if (!Number.isFinite(e.value[i]!)) throw new Error(`leaf ${i} has value ${e.value[i]}`);
        continue;
      }
      if (f < 0 || f >= e.inputWidth) throw new Error(`node ${i} splits on feature ${f}`);
      // Preorder: the left child follows, the right child comes after the left subtree.
      if (e.left[i] !== local + 1 || e.right[i]! <= local + 1 || e.right[i]! >= size) {
        throw new Error(`node ${i} has children out of preorder`);
      }
      const flags = e.flags[i]!;
      if ((flags & ~(MISSING_LEFT | CATEGORICAL)) !== 0)
        throw new Error(`node ${i} has flags ${flags}`);
      if (flags & CATEGORICAL) {
        const offset = e.bitsetOffset[i]!;
        if (offset < 0 || offset % BITSET_WORDS !== 0 || offset + BITSET_WORDS > e.bitsets.length) {
          throw new Error(`node ${i} has bitset offset ${offset}`);
        }
      } else if (Number.isNaN(e.threshold[i]!)) {
        throw new Error(`node ${i} has a NaN threshold`);
      }
    }
  }
}
