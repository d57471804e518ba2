export { Rng } from "./rng.js";
export type { RngState } from "./rng.js";
export { ManualClock, systemClock } from "./clock.js";
export type { Clock } from "./clock.js";
export { parseSnapshot } from "./parse-snapshot.js";
export { OwnerSchema } from "./owner.js";
export type { Owner } from "./owner.js";
