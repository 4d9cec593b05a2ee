import { name, u32 } from '@tandem/runtime/wasm-encoding';

// The tsconfig loads no DOM library and @types/node 20 does not declare WebAssembly: the part used.
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmModule {
  readonly __brand: 'WebAssembly.Module';
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Largest memory the kernels address: 65,536 pages of 64 KiB, WebAssembly's 4 GiB. */
export const MAX_PAGES = 65_536;
const PAGE_BYTES = 65_536;

/** The import of the kernels' memory: shared, at least one page, at most MAX_PAGES. */
export const MEMORY_IMPORT = [
  ...name('env'),
  ...name('memory'),
  0x02,
  0x03, // limits: shared, with a maximum
  ...u32(1),
  ...u32(MAX_PAGES),
];

/** The exports of `bytes` instantiated on `memory`, or null where the module is not valid here. */
export function instantiate(bytes: Uint8Array, memory: WasmMemory): Record<string, unknown> | null {
  if (!wasm?.validate(bytes)) return null;
  return new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports;
}

/**
 * One shared WebAssembly memory holding what the kernels read and write: the bins, gradients,
 * hessians and row orders, and the histograms themselves, so that the kernels (on this thread and
 * on worker threads) address them all. Shared memory grows in place: views stay valid.
 */
export class KernelArena {
  readonly memory: WasmMemory;
  #top = 0;

  private constructor(memory: WasmMemory) {
    this.memory = memory;
  }

  /** An arena of `bytes` to start with, or null without shared WebAssembly memory. */
  static create(bytes: number): KernelArena | null {
    if (!wasm || bytes > MAX_PAGES * PAGE_BYTES) return null;
    try {
      const memory = new wasm.Memory({
        initial: Math.max(1, Math.ceil(bytes / PAGE_BYTES)),
        maximum: MAX_PAGES,
        shared: true,
      });
      return new KernelArena(memory);
    } catch {
      return null;
    }
  }

  /** The byte address of `bytes` new bytes (8-byte aligned, zeroed), growing the memory. */
  allocate(bytes: number): number {
    const at = Math.ceil(this.#top / 8) * 8;
    const top = at + bytes;
    const have = this.memory.buffer.byteLength;
    if (top > have) {
      if (top > MAX_PAGES * PAGE_BYTES) throw new RangeError('histogram memory above 4 GiB');
      this.memory.grow(Math.ceil((top - have) / PAGE_BYTES));
    }
    this.#top = top;
    return at;
  }

  get buffer(): ArrayBufferLike {
    return this.memory.buffer;
  }
}
