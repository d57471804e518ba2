import { z } from "zod";
import { JottyError } from "../errors/index.js";

/** Where a todo stands. */
export const TodoStatusSchema = z.enum(["pending", "in_progress", "done", "blocked"]);

/** One actor's turn in a round. */
export const TodoItemSchema = z.strictObject({
  id: z.string(),
  actor: z.string(),
  dependsOn: z.array(z.string()),
  status: TodoStatusSchema,
  round: z.int().min(0),
  note: z.string().optional(),
});

/** One actor's turn in a round. */
export type TodoItem = z.infer<typeof TodoItemSchema>;

/** A todo list's state, for the Vault. */
export const TodoSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(1),
  round: z.int().min(0),
  items: z.array(TodoItemSchema),
  /** Turns completed and blocked per actor, over all episodes. */
  totals: z.record(z.string(), z.strictObject({ done: z.int().min(0), blocked: z.int().min(0) })),
});

/** A todo list's state. */
export type TodoSnapshot = z.infer<typeof TodoSnapshotSchema>;

/**
 * The "markovian" todo state of an episode: the task decomposed into one turn per actor a
 * round, in dependency order. The next turn depends only on this state: the first pending
 * turn whose dependencies are done; a blocked turn blocks the turns that depend on it; when a
 * round is over a new one begins.
 *
 * @throws JottyError `config_invalid` when actors depend on unknown actors or on each other in a cycle.
 */
export class TodoList {
  private readonly order: Array<{ name: string; dependsOn: readonly string[] }>;
  private items: TodoItem[] = [];
  private round = 0;
  private readonly totals = new Map<string, { done: number; blocked: number }>();

  constructor(actors: ReadonlyArray<{ name: string; dependsOn: readonly string[] }>) {
    const names = new Set(actors.map((actor) => actor.name));
    for (const actor of actors) {
      for (const dependency of actor.dependsOn) {
        if (!names.has(dependency)) {
          throw new JottyError({ code: "config_invalid", message: `Actor "${actor.name}" depends on "${dependency}", which is not in the team.` });
        }
      }
    }
    // Topological order (Kahn), keeping the given order among independent actors.
    const ordered: Array<{ name: string; dependsOn: readonly string[] }> = [];
    const placed = new Set<string>();
    while (ordered.length < actors.length) {
      const ready = actors.find((actor) => !placed.has(actor.name) && actor.dependsOn.every((dependency) => placed.has(dependency)));
      if (ready === undefined) {
        const stuck = actors.filter((actor) => !placed.has(actor.name)).map((actor) => actor.name);
        throw new JottyError({ code: "config_invalid", message: `Actors ${stuck.join(", ")} depend on each other in a cycle; break the cycle in actors[].dependsOn.` });
      }
      ordered.push(ready);
      placed.add(ready.name);
    }
    this.order = ordered;
    this.reset();
  }

  /** The actors in the order their turns come. */
  get actorOrder(): string[] {
    return this.order.map((actor) => actor.name);
  }

  /** Starts a new episode: round 0, every turn pending. */
  reset(): void {
    this.round = 0;
    this.items = this.roundItems(0);
  }

  private roundItems(round: number): TodoItem[] {
    return this.order.map((actor) => ({
      id: `r${round}:${actor.name}`,
      actor: actor.name,
      dependsOn: actor.dependsOn.map((dependency) => `r${round}:${dependency}`),
      status: "pending",
      round,
    }));
  }

  /** Copies of the current round's turns. */
  list(): TodoItem[] {
    return this.items.map((item) => ({ ...item, dependsOn: [...item.dependsOn] }));
  }

  /** The next turn to take (starting a new round when this one is over), or undefined when every turn is blocked. */
  next(): TodoItem | undefined {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      for (const item of this.items) {
        if (item.status !== "pending") continue;
        const dependencies = item.dependsOn.map((id) => this.items.find((other) => other.id === id));
        if (dependencies.some((dependency) => dependency?.status === "blocked")) {
          item.status = "blocked";
          item.note = "a turn it depends on is blocked";
          this.count(item.actor, "blocked");
          continue;
        }
        if (dependencies.every((dependency) => dependency?.status === "done")) return { ...item };
      }
      const open = this.items.some((item) => item.status === "pending" || item.status === "in_progress");
      if (open) return undefined;
      if (this.items.every((item) => item.status === "blocked")) return undefined;
      this.round += 1;
      this.items = this.roundItems(this.round);
    }
    return undefined;
  }

  /**
   * The turn of a named actor, when the environment says whose turn it is: its pending turn of
   * this round (a new round when it has none left), started.
   *
   * @throws JottyError `invalid_argument` for an actor not in the team.
   */
  take(actor: string): TodoItem {
    if (!this.order.some((candidate) => candidate.name === actor)) {
      throw new JottyError({ code: "invalid_argument", message: `No actor "${actor}" in the team.` });
    }
    let item = this.items.find((candidate) => candidate.actor === actor && candidate.status === "pending");
    if (item === undefined) {
      this.round += 1;
      this.items = this.roundItems(this.round);
      item = this.items.find((candidate) => candidate.actor === actor) as TodoItem;
    }
    item.status = "in_progress";
    return { ...item };
  }

  private find(id: string): TodoItem {
    const item = this.items.find((candidate) => candidate.id === id);
    if (item === undefined) throw new JottyError({ code: "invalid_argument", message: `No todo "${id}" in the current round.` });
    return item;
  }

  private count(actor: string, kind: "done" | "blocked"): void {
    const totals = this.totals.get(actor) ?? { done: 0, blocked: 0 };
    totals[kind] += 1;
    this.totals.set(actor, totals);
  }

  start(id: string): void {
    this.find(id).status = "in_progress";
  }

  complete(id: string): void {
    this.find(id).status = "done";
    this.count(this.find(id).actor, "done");
  }

  block(id: string, note: string): void {
    const item = this.find(id);
    item.status = "blocked";
    item.note = note;
    this.count(item.actor, "blocked");
  }

  /**
   * A fresh list for the same team (no totals): an episode that runs alongside others keeps
   * its own turns, and its totals are added to this list with {@link addTotals} when it commits.
   */
  fork(): TodoList {
    return new TodoList(this.order);
  }

  /** Adds another list's per-actor totals to this one's, and takes its last state. */
  addTotals(other: TodoList): void {
    for (const [actor, totals] of other.totals) {
      const mine = this.totals.get(actor) ?? { done: 0, blocked: 0 };
      this.totals.set(actor, { done: mine.done + totals.done, blocked: mine.blocked + totals.blocked });
    }
    this.items = other.list();
    this.round = other.round;
  }

  snapshot(): TodoSnapshot {
    return { schemaVersion: 1, round: this.round, items: this.list(), totals: Object.fromEntries([...this.totals].map(([actor, totals]) => [actor, { ...totals }])) };
  }

  /** Takes the totals (and the last state) of a snapshot. */
  restoreState(snapshot: unknown): void {
    const parsed = TodoSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) throw new JottyError({ code: "snapshot_invalid", message: "Not a todo-state snapshot; pass what snapshot() returned." });
    this.totals.clear();
    for (const [actor, totals] of Object.entries(parsed.data.totals)) this.totals.set(actor, { ...totals });
    this.round = parsed.data.round;
    this.items = parsed.data.items.filter((item) => this.order.some((actor) => actor.name === item.actor));
    if (this.items.length !== this.order.length) this.reset();
  }
}
