export { nearestNeighbourReference } from "./nearest-neighbour.js";
export type { NearestNeighbourResult } from "./nearest-neighbour.js";
export { episodeSpecs, trainRun } from "./train-run.js";
export type { EpisodeSpec, RunReport } from "./train-run.js";
