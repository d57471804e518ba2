// Trains a persistent cliff-walking team into <dir>, saving after every episode, and prints a
// JSON line per episode, then one with the learned Q values. With <episode>:<step>, the process
// kills itself (SIGKILL) inside that step of that episode. With "opaque", the environment
// cannot capture its episode (no snapshotEpisode).
// With a concurrency, episodes run that many at once, each cliff counting its own episodes;
// with "train-run", the episodes run through trainRun (what `jotty train` runs) instead.
// Usage: resume-trainer <dir> <episodes> <episode>:<step>|none snapshot|opaque [concurrency] [train-run]
import { CliffWalking, Conductor, parseConfig, registerEnvironment, trainRun, type EpisodeResult, type Environment, type ResetOptions, type Rng } from "../../src/index.js";

const [dir, episodes, killAt, kind, concurrency = "1", runner = "train"] = process.argv.slice(2) as [string, string, string, string, string?, string?];
const [killEpisode, killStep] = killAt === "none" ? [-1, -1] : killAt.split(":").map(Number);

/** The cliff, counting episodes and steps in this process, to die at the kill point. */
class DyingCliff extends CliffWalking {
  private resets = 0;
  private taken = 0;
  constructor() {
    super({ columns: 5, maxSteps: 30 });
  }
  override reset(rng: Rng, options?: ResetOptions) {
    this.resets += 1;
    this.taken = 0;
    return super.reset(rng, options);
  }
  override step(action: string) {
    if (this.resets - 1 === killEpisode && this.taken === killStep) process.kill(process.pid, "SIGKILL");
    this.taken += 1;
    return super.step(action);
  }
}

/** The same cliff behind a plain Environment that says nothing of its episode. */
function opaque(inner: DyingCliff): Environment {
  return { name: inner.name, description: inner.description, reset: (rng, options) => inner.reset(rng, options), step: (action) => inner.step(action) };
}

const config = {
  learningMode: "persistent",
  outputDir: dir,
  seed: 11,
  environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 30 } },
  learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.3 } },
  training: { maxStepsPerEpisode: 30, saveEvery: 1 },
} as const;
const print = (result: EpisodeResult) =>
  console.log(JSON.stringify({ episode: result.episode, resumedAt: result.resumedAt ?? null, actions: result.trajectory.map((step) => step.action), reward: result.reward, errors: result.errors }));
const onWarning = (warning: string) => console.log(JSON.stringify({ warning }));

if (runner === "train-run") {
  registerEnvironment("dying-cliff", () => (kind === "opaque" ? opaque(new DyingCliff()) : new DyingCliff()));
  let learnedInAll = 0;
  const onSave = ({ learned }: { learned: number }) => (learnedInAll = learned);
  await trainRun({ config: parseConfig({ ...config, environment: { name: "dying-cliff" } }), run: 1, episodes: Number(episodes), heldOutLimit: 1, onEpisode: print, onSave, onWarning });
  console.log(JSON.stringify({ q: [], episodes: learnedInAll }));
  process.exit(0);
}

const conductor = await Conductor.create({
  config,
  environment: () => (kind === "opaque" ? opaque(new DyingCliff()) : new DyingCliff()),
  clock: { now: () => 1_767_000_000_000 },
  onWarning,
});
await conductor.train({ episodes: Number(episodes), concurrency: Number(concurrency), onEpisode: print });
const q = conductor.q.list().map((entry) => ({ key: `${entry.state} | ${entry.action}`, value: entry.value, visits: entry.visits }));
console.log(JSON.stringify({ q: q.sort((a, b) => a.key.localeCompare(b.key)), episodes: conductor.episodes }));
await conductor.close();
