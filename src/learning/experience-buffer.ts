import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import type { Rng } from "../util/index.js";

/** Options of {@link PrioritizedExperienceBuffer}. */
export interface PrioritizedExperienceBufferOptions {
  /** Experiences kept; the lowest-priority one goes when full. @default 1000 */
  capacity?: number;
  /** Exponent of the priority (|δ| + ε)^exponent. @default 0.6 */
  priorityExponent?: number;
  /** Keeps zero-error experiences sampleable. @default 0.01 */
  priorityFloor?: number;
}

/** One sampled experience with its importance weight. */
export interface SampledExperience<T> {
  item: T;
  /** Position in the buffer, for {@link PrioritizedExperienceBuffer.updatePriority}. */
  index: number;
  /** (N·P(i))^−β / max weight: corrects the bias of prioritised sampling. */
  weight: number;
  priority: number;
}

/**
 * A prioritised experience replay buffer: priority (|δ| + 0.01)^0.6, the lowest evicted when
 * full, sampling in proportion to priority with importance weights.
 */
export class PrioritizedExperienceBuffer<T> {
  readonly capacity: number;
  private readonly exponent: number;
  private readonly floor: number;
  private items: T[] = [];
  private priorities: number[] = [];

  constructor(options: PrioritizedExperienceBufferOptions = {}) {
    this.capacity = options.capacity ?? CONFIG_DEFAULTS.qPredictor.bufferCapacity;
    this.exponent = options.priorityExponent ?? 0.6;
    this.floor = options.priorityFloor ?? 0.01;
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new JottyError({ code: "invalid_argument", message: `A replay buffer needs a positive integer capacity, got ${this.capacity}.` });
    }
  }

  get size(): number {
    return this.items.length;
  }

  /** The priority of an experience with TD error δ. */
  priorityOf(tdError: number): number {
    return (Math.abs(tdError) + this.floor) ** this.exponent;
  }

  /** Adds an experience; when full, the lowest-priority one (possibly this one) is dropped. Returns whether it was kept. */
  add(item: T, tdError: number): boolean {
    const priority = this.priorityOf(tdError);
    if (this.items.length < this.capacity) {
      this.items.push(item);
      this.priorities.push(priority);
      return true;
    }
    let lowest = 0;
    for (let index = 1; index < this.priorities.length; index += 1) {
      if ((this.priorities[index] as number) < (this.priorities[lowest] as number)) lowest = index;
    }
    if (priority <= (this.priorities[lowest] as number)) return false;
    this.items[lowest] = item;
    this.priorities[lowest] = priority;
    return true;
  }

  /**
   * `count` experiences drawn with replacement in proportion to priority.
   *
   * @param beta - importance-weight exponent β. @default 0.4
   */
  sample(count: number, rng: Rng, beta = 0.4): Array<SampledExperience<T>> {
    if (this.items.length === 0 || count <= 0) return [];
    const total = this.priorities.reduce((sum, priority) => sum + priority, 0);
    const minimum = Math.min(...this.priorities);
    const maxWeight = (this.items.length * (minimum / total)) ** -beta;
    const samples: Array<SampledExperience<T>> = [];
    for (let draw = 0; draw < count; draw += 1) {
      let remaining = rng.next() * total;
      let index = 0;
      while (index < this.priorities.length - 1 && remaining >= (this.priorities[index] as number)) {
        remaining -= this.priorities[index] as number;
        index += 1;
      }
      const priority = this.priorities[index] as number;
      const weight = (this.items.length * (priority / total)) ** -beta / maxWeight;
      samples.push({ item: this.items[index] as T, index, weight, priority });
    }
    return samples;
  }

  /** Sets the priority of the experience at `index` from its new TD error. */
  updatePriority(index: number, tdError: number): void {
    if (index >= 0 && index < this.priorities.length) this.priorities[index] = this.priorityOf(tdError);
  }

  /** Every experience with its priority, for snapshots. */
  entries(): Array<{ item: T; priority: number }> {
    return this.items.map((item, index) => ({ item, priority: this.priorities[index] as number }));
  }

  /** Replaces the contents (from a snapshot) in their order, keeping the `capacity` highest priorities. */
  load(entries: ReadonlyArray<{ item: T; priority: number }>): void {
    let kept = [...entries];
    if (kept.length > this.capacity) {
      const cutoff = [...kept].sort((a, b) => b.priority - a.priority)[this.capacity - 1]?.priority ?? 0;
      kept = kept.filter((entry) => entry.priority >= cutoff).slice(0, this.capacity);
    }
    this.items = kept.map((entry) => entry.item);
    this.priorities = kept.map((entry) => entry.priority);
  }
}
