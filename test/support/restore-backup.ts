// A process that restores a backup archive into a folder, for the crash suite.
// Usage: restore-backup <archive> <target>
import { Vault } from "../../src/index.js";

const [archive, target] = process.argv.slice(2);
process.stdout.write("ready\n");
const { runs } = await Vault.restoreBackup(archive as string, target as string);
process.stdout.write(`restored ${runs.join(",")}\n`);
