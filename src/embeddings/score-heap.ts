/**
 * A binary heap of (score, slot) pairs: `max` keeps the highest score on top, `min` the lowest.
 * The approximate index's candidate and result queues.
 */
export class ScoreHeap {
  private scores: number[] = [];
  private slots: number[] = [];
  private readonly sign: 1 | -1;

  constructor(order: "max" | "min") {
    this.sign = order === "max" ? 1 : -1;
  }

  get size(): number {
    return this.scores.length;
  }

  /** The top's score (undefined when empty). */
  get topScore(): number | undefined {
    return this.scores[0];
  }

  /** The top's slot (undefined when empty). */
  get topSlot(): number | undefined {
    return this.slots[0];
  }

  clear(): void {
    this.scores.length = 0;
    this.slots.length = 0;
  }

  push(score: number, slot: number): void {
    const { scores, slots, sign } = this;
    let index = scores.length;
    scores.push(score);
    slots.push(slot);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (sign * ((scores[parent] as number) - score) >= 0) break;
      scores[index] = scores[parent] as number;
      slots[index] = slots[parent] as number;
      index = parent;
    }
    scores[index] = score;
    slots[index] = slot;
  }

  /** Removes the top; returns its slot. */
  pop(): number {
    const { scores, slots, sign } = this;
    const top = slots[0] as number;
    const lastScore = scores.pop() as number;
    const lastSlot = slots.pop() as number;
    const size = scores.length;
    if (size > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= size) break;
        const right = left + 1;
        const child = right < size && sign * ((scores[right] as number) - (scores[left] as number)) > 0 ? right : left;
        if (sign * ((scores[child] as number) - lastScore) <= 0) break;
        scores[index] = scores[child] as number;
        slots[index] = slots[child] as number;
        index = child;
      }
      scores[index] = lastScore;
      slots[index] = lastSlot;
    }
    return top;
  }

  /** The pairs, best (highest score) first; the heap is left empty. */
  drainBestFirst(): Array<{ slot: number; score: number }> {
    const out = this.scores.map((score, index) => ({ slot: this.slots[index] as number, score }));
    this.clear();
    return out.sort((a, b) => b.score - a.score || a.slot - b.slot);
  }
}
