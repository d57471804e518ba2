/** A predicted value paired with the discounted return that followed it. */
export interface CalibrationPair {
  predicted: number;
  observed: number;
}

const CALIBRATION_LIMIT = 5000;

/**
 * What a Q-predictor keeps of its episodes: how many ended, each step's predicted value and
 * reward until the episode ends, then the (prediction, return) pairs for calibration (the
 * latest 5000), and the best return with the episodes since it improved (for promoting
 * archived entries).
 */
export class EpisodeProgress {
  private ended = 0;
  private steps: Array<{ predicted: number; reward: number }> = [];
  private pairs: CalibrationPair[] = [];
  private best: number | null = null;
  private stalled = 0;

  /** Episodes completed. */
  get episode(): number {
    return this.ended;
  }

  /** The (prediction, return) pairs of past episodes, oldest first. */
  get calibrationPairs(): readonly CalibrationPair[] {
    return this.pairs;
  }

  /** The best episode return so far, or null before the first episode ends. */
  get bestReturn(): number | null {
    return this.best;
  }

  /** Episodes ended since the best return last improved (or since the last promotion). */
  get episodesWithoutImprovement(): number {
    return this.stalled;
  }

  /** Records a step of the current episode: the value predicted before learning from it, and its reward. */
  record(predicted: number, reward: number): void {
    this.steps.push({ predicted, reward });
  }

  /**
   * Ends the current episode (counting it): pairs each step's prediction with the return discounted by γ
   * that followed it, and compares the episode's return (the sum of its rewards unless given)
   * with the best so far.
   */
  close({ gamma, given }: { gamma: number; given: number | undefined }): void {
    let following = 0;
    const pairs: CalibrationPair[] = [];
    for (let step = this.steps.length - 1; step >= 0; step -= 1) {
      const { predicted, reward } = this.steps[step] as { predicted: number; reward: number };
      following = reward + gamma * following;
      pairs.push({ predicted, observed: following });
    }
    this.pairs = [...this.pairs, ...pairs.reverse()].slice(-CALIBRATION_LIMIT);
    const episodeReturn = given ?? this.steps.reduce((sum, step) => sum + step.reward, 0);
    this.steps = [];
    this.ended += 1;
    if (this.best === null || episodeReturn > this.best) {
      this.best = episodeReturn;
      this.stalled = 0;
    } else {
      this.stalled += 1;
    }
  }

  /** Starts counting stalled episodes again (after archived entries were promoted). */
  resetStall(): void {
    this.stalled = 0;
  }

  /** Restores what a snapshot kept (the steps of an unfinished episode are not kept). */
  load({
    episode,
    calibration,
    bestReturn,
    episodesWithoutImprovement,
  }: {
    episode: number;
    calibration: CalibrationPair[];
    bestReturn: number | null;
    episodesWithoutImprovement: number;
  }): void {
    this.ended = episode;
    this.pairs = calibration;
    this.best = bestReturn;
    this.stalled = episodesWithoutImprovement;
  }
}
