export { nearestNeighbourReference } from "./nearest-neighbour.js";
export type { NearestNeighbourResult } from "./nearest-neighbour.js";
