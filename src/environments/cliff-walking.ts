import { z } from "zod";
import type { JsonValue } from "../errors/index.js";
import { episodeCounts, parseEnvironmentOptions, TextEnvironment, type EnvironmentReset, type EnvironmentStep } from "./environment.js";

/** Options of {@link CliffWalking}. */
export const CliffWalkingOptionsSchema = z.strictObject({
  /** Grid rows. @default 4 */
  rows: z.int().min(2).max(100).default(4),
  /** Grid columns. @default 12 */
  columns: z.int().min(3).max(100).default(12),
  /** Reward of every step. @default -1 */
  stepReward: z.number().default(-1),
  /** Reward of stepping into the cliff (and back to the start). @default -100 */
  cliffReward: z.number().default(-100),
  /** Ends the episode (not as a success) after this many steps; no limit by default. */
  maxSteps: z.int().positive().optional(),
});

/** Options a user writes for {@link CliffWalking}. */
export type CliffWalkingOptions = z.input<typeof CliffWalkingOptionsSchema>;

const MOVES = {
  "move up": [-1, 0],
  "move down": [1, 0],
  "move left": [0, -1],
  "move right": [0, 1],
} as const satisfies Record<string, readonly [number, number]>;

const ACTIONS = Object.keys(MOVES) as Array<keyof typeof MOVES>;

/**
 * Sutton & Barto's cliff walking (Example 6.6): a 4 × 12 grid, start at the bottom left,
 * goal at the bottom right, a cliff between them along the bottom row. Each step costs −1;
 * stepping into the cliff costs −100 and sends the walker back to the start.
 * Moves off the grid leave the position unchanged.
 */
export class CliffWalking extends TextEnvironment {
  readonly name = "cliff-walking";
  readonly description: string;
  readonly rows: number;
  readonly columns: number;
  private readonly stepReward: number;
  private readonly cliffReward: number;
  private readonly maxSteps: number | undefined;
  private row = 0;
  private column = 0;
  private steps = 0;

  /**
   * @param options - see {@link CliffWalkingOptionsSchema}. @default {}
   * @throws JottyError `invalid_argument` naming every bad option.
   */
  constructor(input: CliffWalkingOptions = {}) {
    super();
    const options = parseEnvironmentOptions(CliffWalkingOptionsSchema, input, "cliff-walking");
    this.rows = options.rows;
    this.columns = options.columns;
    this.stepReward = options.stepReward;
    this.cliffReward = options.cliffReward;
    this.maxSteps = options.maxSteps;
    const bottom = this.rows - 1;
    this.description = `Walk a ${this.rows} × ${this.columns} grid from the start at row ${bottom}, column 0 to the goal at row ${bottom}, column ${this.columns - 1}. Each step costs ${this.stepReward}; the cliff along row ${bottom} between them costs ${this.cliffReward} and sends you back to the start.`;
  }

  /** The observation of a cell. */
  observationAt(row: number, column: number): string {
    const bottom = this.rows - 1;
    return `You are at row ${row}, column ${column} of a ${this.rows} × ${this.columns} grid; the goal is at row ${bottom}, column ${this.columns - 1}, and the cliff lies along row ${bottom} between the start and the goal.`;
  }

  private isCliff(row: number, column: number): boolean {
    return row === this.rows - 1 && column > 0 && column < this.columns - 1;
  }

  protected begin(): EnvironmentReset {
    this.row = this.rows - 1;
    this.column = 0;
    this.steps = 0;
    return { observation: this.observationAt(this.row, this.column), actions: [...ACTIONS], info: this.position() };
  }

  protected override episodeState(): JsonValue {
    return { row: this.row, column: this.column, steps: this.steps };
  }

  protected override restoreEpisodeState(state: JsonValue): void {
    ({ row: this.row, column: this.column, steps: this.steps } = episodeCounts(state, ["row", "column", "steps"], this.name) as { row: number; column: number; steps: number });
  }

  protected transition(action: string): EnvironmentStep {
    const [dRow, dColumn] = MOVES[action as keyof typeof MOVES];
    this.row = Math.min(this.rows - 1, Math.max(0, this.row + dRow));
    this.column = Math.min(this.columns - 1, Math.max(0, this.column + dColumn));
    this.steps += 1;
    let reward = this.stepReward;
    let fell = false;
    if (this.isCliff(this.row, this.column)) {
      reward = this.cliffReward;
      fell = true;
      this.row = this.rows - 1;
      this.column = 0;
    }
    const atGoal = this.row === this.rows - 1 && this.column === this.columns - 1;
    const truncated = !atGoal && this.maxSteps !== undefined && this.steps >= this.maxSteps;
    const observation = atGoal
      ? `You reached the goal at row ${this.row}, column ${this.column}.`
      : fell
        ? `You fell off the cliff and are back at the start. ${this.observationAt(this.row, this.column)}`
        : this.observationAt(this.row, this.column);
    return {
      observation,
      reward,
      done: atGoal || truncated,
      actions: atGoal || truncated ? [] : [...ACTIONS],
      info: {
        ...this.position(),
        fellOffCliff: fell,
        reachedGoal: atGoal,
        truncated,
        ...(atGoal || truncated ? { success: atGoal } : {}),
      },
    };
  }

  private position(): { row: number; column: number } {
    return { row: this.row, column: this.column };
  }
}
