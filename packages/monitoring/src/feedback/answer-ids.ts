/** The longest id kept as bytes; longer or non-ASCII ids go to AnswerIds' map. */
export const INLINE_ID_BYTES = 48;

/**
 * Which answer (a row slot of RecentPredictions) each (model, id) names. Ids of at most
 * INLINE_ID_BYTES ASCII characters (UUIDs, the x-request-id of a proxy) are copied into one byte
 * array and found through an open-addressing table of slot numbers, so no string per answer stays
 * on the heap: 100,000 id strings held in a Map were promoted and marked by every collection, and
 * the garbage collector became the largest cost of monitoring a 1-row request. Other ids fall
 * back to a Map per model.
 *
 * Linear probing; removal shifts the entries after it back (no tombstones), so a lookup never
 * walks further than the run it hashes into. The table is at least twice the slots, so runs stay
 * short.
 */
export class AnswerIds {
  private readonly mask: number;
  /** Per table position: slot + 1 (0: empty). */
  private readonly table: Int32Array;
  // Per slot holding an inline id.
  private readonly bytes: Uint8Array;
  private readonly lengths: Uint8Array;
  private readonly hashes: Int32Array;
  private readonly modelOf: Int32Array;
  /** Where the slot sits in the table (moved by removals). */
  private readonly positions: Int32Array;
  private readonly models = new Map<string, number>();
  private readonly modelNames: string[] = [];
  /** Per model, the ids that are not inline: id → slot. */
  private readonly others = new Map<string, Map<string, number>>();
  /** Per slot holding an id that is not inline: the id (for removal). */
  private readonly otherIds: (string | undefined)[];
  /** Per slot: 0 no id, 1 inline, 2 in `others`. */
  private readonly held: Uint8Array;
  // The last (model, id) classified: remembering an answer asks get() then set() for one id,
  // and reading its characters twice was a tenth of a 1-row request's monitoring.
  private lastModel = -1;
  private lastId = '';
  private lastInline = false;
  private lastHash = 0;

  constructor(slots: number) {
    let size = 16;
    while (size < slots * 2) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size);
    this.bytes = new Uint8Array(slots * INLINE_ID_BYTES);
    this.lengths = new Uint8Array(slots);
    this.hashes = new Int32Array(slots);
    this.modelOf = new Int32Array(slots);
    this.positions = new Int32Array(slots);
    this.otherIds = new Array(slots).fill(undefined);
    this.held = new Uint8Array(slots);
  }

  /** The slot (model, id) names, or -1. */
  get(model: string, id: string): number {
    const m = this.models.get(model);
    if (m === undefined) return -1;
    if (!this.classify(m, id)) return this.others.get(model)?.get(id) ?? -1;
    const hash = this.lastHash;
    for (let p = hash & this.mask; ; p = (p + 1) & this.mask) {
      const entry = this.table[p] as number;
      if (entry === 0) return -1;
      const slot = entry - 1;
      if (this.hashes[slot] === hash && this.modelOf[slot] === m && this.equals(slot, id)) {
        return slot;
      }
    }
  }

  /** Names `slot` (free: removed or never set) by (model, id), which must name no other slot. */
  set(model: string, id: string, slot: number): void {
    let m = this.models.get(model);
    if (m === undefined) {
      m = this.modelNames.push(model) - 1;
      this.models.set(model, m);
    }
    if (!this.classify(m, id)) {
      let ids = this.others.get(model);
      if (ids === undefined) {
        ids = new Map();
        this.others.set(model, ids);
      }
      ids.set(id, slot);
      this.otherIds[slot] = id;
      this.modelOf[slot] = m;
      this.held[slot] = 2;
      return;
    }
    const hash = this.lastHash;
    const at = slot * INLINE_ID_BYTES;
    for (let i = 0; i < id.length; i++) this.bytes[at + i] = id.charCodeAt(i);
    this.lengths[slot] = id.length;
    this.hashes[slot] = hash;
    this.modelOf[slot] = m;
    this.held[slot] = 1;
    let p = hash & this.mask;
    while (this.table[p] !== 0) p = (p + 1) & this.mask;
    this.table[p] = slot + 1;
    this.positions[slot] = p;
  }

  /** Whether `slot` has an id. */
  holds(slot: number): boolean {
    return this.held[slot] !== 0;
  }

  /** Forgets the id of `slot`, if it has one. */
  remove(slot: number): void {
    const held = this.held[slot];
    this.held[slot] = 0;
    if (held === 2) {
      const id = this.otherIds[slot] as string;
      this.otherIds[slot] = undefined;
      this.others.get(this.modelNames[this.modelOf[slot] as number] as string)?.delete(id);
      return;
    }
    if (held !== 1) return;
    const mask = this.mask;
    const table = this.table;
    let hole = this.positions[slot] as number;
    // Backward shift: an entry after the hole moves into it unless its home lies cyclically
    // within (hole, its position], where a lookup still reaches it.
    for (let p = (hole + 1) & mask; table[p] !== 0; p = (p + 1) & mask) {
      const entry = table[p] as number;
      const home = (this.hashes[entry - 1] as number) & mask;
      const stays = hole <= p ? hole < home && home <= p : hole < home || home <= p;
      if (stays) continue;
      table[hole] = entry;
      this.positions[entry - 1] = hole;
      hole = p;
    }
    table[hole] = 0;
  }

  /** Whether (m, id) is kept inline; when it is, its hash is in lastHash. */
  private classify(m: number, id: string): boolean {
    if (m !== this.lastModel || id !== this.lastId) {
      this.lastModel = m;
      this.lastId = id;
      this.lastInline = isInline(id);
      this.lastHash = this.lastInline ? hashOf(m, id) : 0;
    }
    return this.lastInline;
  }

  private equals(slot: number, id: string): boolean {
    if (this.lengths[slot] !== id.length) return false;
    const at = slot * INLINE_ID_BYTES;
    for (let i = 0; i < id.length; i++) {
      if (this.bytes[at + i] !== id.charCodeAt(i)) return false;
    }
    return true;
  }
}

/** Short and ASCII: kept as bytes. */
function isInline(id: string): boolean {
  if (id.length > INLINE_ID_BYTES) return false;
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 127) return false;
  return true;
}

/** FNV-1a over the id's characters, seeded by the model's index. */
function hashOf(model: number, id: string): number {
  let h = (0x811c9dc5 ^ model) | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  // Mix the low bits, which pick the position, with the high ones.
  return h ^ (h >>> 15);
}
