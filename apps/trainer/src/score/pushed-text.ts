/**
 * The text an incremental parser holds: what it has not consumed yet (from `pos` on), followed
 * by each piece pushed as the file is read. A UTF-8 BOM at the start of the file is dropped.
 */
export abstract class PushedText {
  protected text = '';
  protected pos = 0;
  private started = false;

  push(piece: string): void {
    let next = piece;
    if (!this.started && next.length > 0) {
      this.started = true;
      if (next.charCodeAt(0) === 0xfeff) next = next.slice(1);
    }
    this.text = this.pos < this.text.length ? this.text.slice(this.pos) + next : next;
    this.pos = 0;
  }
}
