import { describe, expect, it } from "vitest";
import {
  CliffWalking,
  createEnvironment,
  environmentNames,
  registerEnvironment,
  Rng,
  TextEnvironment,
  type EnvironmentReset,
  type EnvironmentStep,
} from "../../src/index.js";

class CoinFlip extends TextEnvironment {
  readonly name = "coin-flip";
  readonly description = "Guess the coin.";
  private coin = "heads";

  protected begin(): EnvironmentReset {
    this.coin = this.rng.next() < 0.5 ? "heads" : "tails";
    return { observation: "A coin spins in the air.", actions: ["call heads", "call tails"], info: {} };
  }

  protected transition(action: string): EnvironmentStep {
    const right = action === `call ${this.coin}`;
    return { observation: `It landed ${this.coin}.`, reward: right ? 1 : 0, done: true, actions: [], info: { coin: this.coin } };
  }
}

describe("createEnvironment", () => {
  it("builds the built-in environments by name with their options", async () => {
    expect(environmentNames()).toEqual(expect.arrayContaining(["bandit", "cliff-walking", "random-walk"]));
    const cliff = createEnvironment("cliff-walking", { maxSteps: 5 });
    expect(cliff).toBeInstanceOf(CliffWalking);
    const start = await cliff.reset(new Rng(1));
    expect(start.actions).toHaveLength(4);
  });

  it("names the known environments when the name is unknown", () => {
    expect(() => createEnvironment("cliff-walk")).toThrow(
      expect.objectContaining({
        code: "unknown_environment",
        message: expect.stringContaining("choose one of: bandit, cliff-walking"),
      }),
    );
  });

  it("reports unknown and invalid options by name", () => {
    expect(() => createEnvironment("cliff-walking", { rows: 1, colour: "red" })).toThrow(/rows.*colour|colour.*rows/s);
  });

  it("registers a custom environment once", async () => {
    registerEnvironment("coin-flip", () => new CoinFlip());
    const coin = createEnvironment("coin-flip");
    await coin.reset(new Rng(3));
    const result = await coin.step("call heads");
    expect(result.reward).toBe(result.info.coin === "heads" ? 1 : 0);
    expect(() => registerEnvironment("coin-flip", () => new CoinFlip())).toThrow(/already registered/);
  });
});
