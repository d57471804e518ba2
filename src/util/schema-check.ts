import { Ajv2020 } from "ajv/dist/2020.js";
import { z } from "zod";
import { JottyError } from "../errors/index.js";

/**
 * The zod checks a JSON Schema says exactly. `custom` (a refinement) and `overwrite` (a
 * trim, say) would be dropped or not applied by a JSON Schema validator, so a schema with
 * them gets no compiled check.
 */
const EXACT_CHECKS = new Set(["less_than", "greater_than", "multiple_of", "number_format", "min_length", "max_length", "length_equals"]);

const compiled = new WeakMap<z.ZodType, (value: unknown) => boolean>();

function refuse(why: string): never {
  throw new JottyError({ code: "invalid_argument", message: `A compiled schema check needs a schema that only validates: ${why}. Parse with zod instead.` });
}

/**
 * A compiled validator of `schema` that checks a value where it is, without building the
 * copy `safeParse` returns: zod's JSON Schema of it, compiled by Ajv (NaN and ±Infinity
 * refused as zod refuses them). At 100k memories it checks a snapshot several times faster
 * than `safeParse`, with no second copy of every entry to collect.
 *
 * It never accepts what the schema refuses, but may refuse what the schema accepts (an
 * optional key present as `undefined`, say), so a refusal is confirmed by zod, which also
 * words the problem. Compiled once per schema.
 *
 * @throws JottyError `invalid_argument` for a schema that does more than validate (defaults,
 *   transforms, refinements): what it returns is not what came in, or JSON Schema cannot say it.
 */
export function schemaCheck<Schema extends z.ZodType>(schema: Schema): (value: unknown) => value is z.output<Schema> {
  let check = compiled.get(schema);
  if (check === undefined) {
    const inspect = ({ zodSchema }: { zodSchema: z.core.$ZodTypes }): void => {
      const def = zodSchema._zod.def as { checks?: ReadonlyArray<{ _zod: { def: { check: string } } }> };
      for (const { _zod } of def.checks ?? []) if (!EXACT_CHECKS.has(_zod.def.check)) refuse(`it has a check of kind ${_zod.def.check}`);
      if ("defaultValue" in zodSchema._zod.def) refuse("it has a default");
    };
    let input: string;
    let output: string;
    try {
      input = JSON.stringify(z.toJSONSchema(schema, { io: "input", override: inspect }));
      output = JSON.stringify(z.toJSONSchema(schema, { io: "output" }));
    } catch (error) {
      if (JottyError.is(error)) throw error;
      refuse(error instanceof Error ? error.message : String(error));
    }
    // Defaults, catches and prefaults make what comes out differ from what went in.
    if (input !== output) refuse("what it returns differs from what it takes");
    // zod wrote the schema, so checking it against JSON Schema's meta-schema (which Ajv would
    // compile first, a third of a restart's checking) is left to the tests. Ajv's pass that
    // tidies the generated code halves the compile of the memory columns' check, and the check
    // it makes runs no faster.
    check = new Ajv2020({ strictNumbers: true, allErrors: false, validateSchema: false, code: { optimize: false } }).compile(JSON.parse(input) as object);
    compiled.set(schema, check);
  }
  return check as (value: unknown) => value is z.output<Schema>;
}
