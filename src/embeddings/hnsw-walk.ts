import type { CodeRows } from "./code-rows.js";
import type { HnswGraph } from "./hnsw-graph.js";
import { ScoreHeap } from "./score-heap.js";

/**
 * The walks of an HNSW graph over its code rows: the greedy descent through the upper layers,
 * the best-first search of one layer, and the choice of a new node's neighbours. Keeps the
 * scratch space (queues, visit marks) they share; the query is whatever the rows were last given.
 */
export class HnswWalk {
  private readonly rows: CodeRows;
  private readonly graph: HnswGraph;
  private readonly candidates = new ScoreHeap("max");
  private readonly results = new ScoreHeap("min");
  private readonly batch: number[] = [];
  private readonly batchScores: number[] = [];
  private visited = new Uint32Array(0);
  private epoch = 0;

  constructor(rows: CodeRows, graph: HnswGraph) {
    this.rows = rows;
    this.graph = graph;
  }

  /** Makes room for visit marks of `capacity` nodes. */
  reserve(capacity: number): void {
    if (capacity <= this.visited.length) return;
    this.visited = new Uint32Array(capacity);
    this.epoch = 0;
  }

  /**
   * Up to `width` of the candidates (best first), preferring ones not closer to an already
   * chosen neighbour than to the new node, then the nearest of the rest.
   */
  diverse(candidates: ReadonlyArray<{ slot: number; score: number }>, width: number): Array<{ slot: number; score: number }> {
    const chosen: Array<{ slot: number; score: number }> = [];
    const skipped: Array<{ slot: number; score: number }> = [];
    const chosenSlots: number[] = [];
    const scores: number[] = [];
    for (const candidate of candidates) {
      if (chosen.length >= width) break;
      let keep = true;
      if (chosen.length > 0) {
        this.rows.setQueryFromRow(candidate.slot);
        this.rows.score(chosenSlots, chosenSlots.length, scores);
        for (let index = 0; index < chosenSlots.length; index += 1) if ((scores[index] as number) > candidate.score) keep = false;
      }
      if (keep) {
        chosen.push(candidate);
        chosenSlots.push(candidate.slot);
      } else skipped.push(candidate);
    }
    for (const candidate of skipped) {
      if (chosen.length >= width) break;
      chosen.push(candidate);
    }
    return chosen;
  }

  /** Greedy walk down the layers above `toLevel`: the best node found and its score. */
  descend(start: number, startScore: number, fromLevel: number, toLevel: number): [number, number] {
    let best = start;
    let bestScore = startScore;
    for (let layer = fromLevel; layer > toLevel; layer -= 1) {
      for (let changed = true; changed; ) {
        changed = false;
        this.batch.length = 0;
        this.graph.linksOf(best, layer, this.batch);
        this.rows.score(this.batch, this.batch.length, this.batchScores);
        for (let index = 0; index < this.batch.length; index += 1) {
          if ((this.batchScores[index] as number) > bestScore) {
            bestScore = this.batchScores[index] as number;
            best = this.batch[index] as number;
            changed = true;
          }
        }
      }
    }
    return [best, bestScore];
  }

  /** The best `ef` nodes passing `passes` reachable on one layer from the entries (the results heap). */
  searchLayer(entries: readonly number[], ef: number, layer: number, passes: (slot: number) => boolean, maxVisits: number): ScoreHeap {
    const { candidates, results, batch, batchScores, visited } = this;
    candidates.clear();
    results.clear();
    this.epoch += 1;
    if (this.epoch === 0xffffffff) {
      visited.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    batch.length = 0;
    for (const entry of entries) {
      if (visited[entry] === epoch) continue;
      visited[entry] = epoch;
      batch.push(entry);
    }
    this.rows.score(batch, batch.length, batchScores);
    for (let index = 0; index < batch.length; index += 1) {
      const slot = batch[index] as number;
      const score = batchScores[index] as number;
      candidates.push(score, slot);
      if (passes(slot)) results.push(score, slot);
    }
    while (results.size > ef) results.pop();
    let visits = batch.length;
    while (candidates.size > 0) {
      const score = candidates.topScore as number;
      if (results.size >= ef && score < (results.topScore as number)) break;
      const current = candidates.pop();
      batch.length = 0;
      const before = batch.length;
      this.graph.linksOf(current, layer, batch);
      let fresh = before;
      for (let index = before; index < batch.length; index += 1) {
        const slot = batch[index] as number;
        if (visited[slot] === epoch) continue;
        visited[slot] = epoch;
        batch[fresh] = slot;
        fresh += 1;
      }
      batch.length = fresh;
      this.rows.score(batch, fresh, batchScores);
      visits += fresh;
      for (let index = 0; index < fresh; index += 1) {
        const slot = batch[index] as number;
        const neighbourScore = batchScores[index] as number;
        if (results.size < ef || neighbourScore > (results.topScore as number)) {
          candidates.push(neighbourScore, slot);
          if (passes(slot)) {
            results.push(neighbourScore, slot);
            if (results.size > ef) results.pop();
          }
        }
      }
      if (visits > maxVisits) break;
    }
    return results;
  }
}
