import { z } from "zod";

/** One actor of the team. */
export const ActorSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, "must be lowercase letters, digits and dashes, starting with a letter"),
  kind: z.enum(["policy", "llm"]).default("policy"),
  capabilities: z.array(z.string().min(1)).default([]),
  dependsOn: z.array(z.string().min(1)).default([]),
  candidatesOnly: z
    .boolean()
    .default(true)
    .describe("llm actors: false lets the actor answer with an action of its own (such as a SQL query) where the environment accepts one"),
});

/** The team: at least one actor, unique names, dependencies naming actors of the team. */
export const ActorsSchema = z
  .array(ActorSchema)
  .min(1)
  .superRefine((actors, context) => {
    const names = new Set(actors.map((actor) => actor.name));
    const seen = new Set<string>();
    actors.forEach((actor, index) => {
      if (seen.has(actor.name)) {
        context.addIssue({
          code: "custom",
          path: [index, "name"],
          message: `duplicate actor name "${actor.name}"; give each actor its own name`,
        });
      }
      seen.add(actor.name);
      actor.dependsOn.forEach((dependency, dependencyIndex) => {
        if (!names.has(dependency)) {
          context.addIssue({
            code: "custom",
            path: [index, "dependsOn", dependencyIndex],
            message: `unknown actor "${dependency}"; expected one of ${[...names].join(", ")}`,
          });
        }
      });
    });
    // The same check the team's todo order makes, so `jotty config validate` refuses what `train` would.
    const placed = new Set<string>();
    let progress = true;
    while (progress) {
      progress = false;
      for (const actor of actors) {
        if (!placed.has(actor.name) && actor.dependsOn.every((dependency) => placed.has(dependency) || !names.has(dependency))) {
          placed.add(actor.name);
          progress = true;
        }
      }
    }
    const stuck = actors.filter((actor) => !placed.has(actor.name)).map((actor) => actor.name);
    if (stuck.length > 0) {
      context.addIssue({
        code: "custom",
        path: [actors.findIndex((actor) => !placed.has(actor.name)), "dependsOn"],
        message: `actors ${stuck.join(", ")} depend on each other in a cycle; break the cycle`,
      });
    }
  });

/** Settings of one actor that differ from the team's. */
export const ActorOverrideSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("false leaves the actor out of the team (its learned state is kept)"),
  capacities: z
    .strictObject({
      episodic: z.int().positive().optional(),
      semantic: z.int().positive().optional(),
      procedural: z.int().positive().optional(),
      meta: z.int().positive().optional(),
      causal: z.int().positive().optional(),
    })
    .optional()
    .describe("capacities of the actor's local memory, per level"),
  learningRate: z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .describe("α for the actor's decisions in the Q-predictor and for credit to its local memories"),
});
