/**
 * Writing your own environment: a thermostat the team learns to keep comfortable. Extend
 * TextEnvironment (it checks actions and episode state for you), describe states and actions
 * in plain words, and report info.success on the last step. Run: npx tsx examples/custom-environment.ts
 */
import { Conductor, TextEnvironment, type EnvironmentReset, type EnvironmentStep } from "../src/index.js";

class Thermostat extends TextEnvironment {
  readonly name = "thermostat";
  readonly description = "Keep the room at 21 °C for an evening.";
  private temperature = 18;
  private hour = 0;

  private observe(): string {
    return `The room is at ${this.temperature} °C.`;
  }

  protected begin(): EnvironmentReset {
    this.temperature = 16 + this.rng.int(0, 8); // the episode's rng, seeded by the Conductor
    this.hour = 0;
    return { observation: this.observe(), actions: ["heat", "cool", "wait"], info: {} };
  }

  protected transition(action: string): EnvironmentStep {
    this.temperature += action === "heat" ? 1 : action === "cool" ? -1 : 0;
    this.hour += 1;
    const reward = -Math.abs(this.temperature - 21);
    const done = this.hour === 6;
    return {
      observation: this.observe(),
      reward,
      done,
      actions: done ? [] : ["heat", "cool", "wait"],
      info: done ? { success: this.temperature === 21 } : {},
    };
  }
}

const conductor = await Conductor.create({
  config: {
    learningMode: "contextual",
    seed: 4,
    learning: { alpha: 0.3, gamma: 0.9, epsilon: { kind: "linear", start: 0.3, end: 0.02, steps: 200 } },
    qPredictor: { similarity: false },
    // Replaying a stored path suits tasks that always start alike; evenings start at different temperatures.
    conductor: { executionModes: { enabled: false } },
  },
  environment: new Thermostat(),
});
const results = await conductor.train({ episodes: 300 });
const rate = (slice: typeof results) => Math.round((slice.filter((result) => result.success).length / slice.length) * 100);
console.log(`first 50 evenings: ${rate(results.slice(0, 50))}% comfortable; last 50: ${rate(results.slice(-50))}%`);
