import path from "node:path";
import type { Command } from "commander";
import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { AuditLog } from "../persistence/index.js";
import type { CliIo } from "./cli-io.js";
import { openVault } from "./vault-access.js";

/** `jotty audit verify` */
export function registerAudit(program: Command, io: CliIo): void {
  program
    .command("audit")
    .description("the audit log of learned state")
    .command("verify")
    .description("check that no line of the audit log was edited, removed or reordered, and that none is missing at its end")
    .argument("[dir]", "output folder", CONFIG_DEFAULTS.outputDir)
    .action(async (dir: string) => {
      const file = path.join(dir, "audit.jsonl");
      // Each run's manifest remembers the last record its save wrote: lines removed from the end show.
      const anchors = await (await openVault(io, dir, undefined)).auditAnchors();
      const result = await AuditLog.verify(file, { anchors });
      if (result.ok) {
        io.stdout(`${file}: ${result.records} records, the chain is intact and reaches every record the runs' saves wrote\n`);
        return;
      }
      throw new JottyError({
        code: "audit_invalid",
        message: `${file} line ${result.line}: ${result.problem}. The ${result.records} records before it are intact.`,
      });
    });
}
