/** Where a prediction came from. */
export type PredictionSource = "table" | "similar" | "llm" | "prior";

/** A predicted value. */
export interface QPrediction {
  action: string;
  q: number;
  /** How much to trust it, in [0, 1]. */
  confidence: number;
  source: PredictionSource;
  reasoning?: string;
  /** The model's suggested alternative, when it gave one. */
  alternative?: string;
  /** Visits behind it: the pair's own (table), or similarity-weighted visits of similar states (cases). */
  evidence?: number;
}
