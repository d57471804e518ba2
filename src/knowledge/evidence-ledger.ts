import { wilsonInterval } from "../learning/math/index.js";
import type { Attribution, FailureAttribution, OptionEvidence, RecordedDecision, RecordedEpisode } from "./attribute-outcomes.js";
import type { DecisionPoint } from "./decision-point.js";
import { blamedLabels, causesOf, metaOf, procedureOf, tallyCause, type Cause, type CauseTally, type MetaStatement, type MetaTally, type Procedure } from "./derive-knowledge.js";
import { lessonsOfPoint, type KnowledgeLesson } from "./derive-lessons.js";

/** Everything derived from the evidence at once. */
export interface KnowledgeView {
  attribution: Attribution;
  lessons: KnowledgeLesson[];
  procedures: Procedure[];
  causes: Cause[];
  meta: MetaStatement[];
  /** The decision points each task type met. */
  pointsByTask: Map<string, Set<string>>;
  /** The decision points in the evidence where no option is proven yet. */
  unprovenPoints: Set<string>;
}

/** Blamed at least this often and never in a success: known to fail whatever else is chosen (as in `attributeOutcomes`). */
const KNOWN_BAD_BLAME = 2;

const keyOf = (decision: RecordedDecision): string => `${decision.point}\u0000${decision.chosen}`;

/** A failed episode and what of it is counted: its unproven decisions, and those blamed and explained. */
interface Failure {
  suspects: RecordedDecision[];
  attribution: FailureAttribution;
  explained: RecordedDecision[];
  /** Whether it is in its task type's meta tally yet. */
  inMeta: boolean;
}

/** One task type's episodes, counted: for its procedure, its meta statement and its points. */
interface TaskTally {
  successes: number;
  failures: number;
  latestSuccess: RecordedEpisode | undefined;
  /** Per option key, the successes and the failures that chose it. */
  inSuccesses: Map<string, number>;
  inFailures: Map<string, number>;
  /** Per point, the episodes that decided there. */
  points: Map<string, number>;
  pointSet: Set<string>;
  meta: MetaTally;
}

const bump = <K>(map: Map<K, number>, key: K, by: number): void => {
  const next = (map.get(key) ?? 0) + by;
  if (next === 0) map.delete(key);
  else map.set(key, next);
};

/**
 * The decision evidence's episodes with everything derived from them kept up to date as
 * episodes come and go: the same attribution, lessons, procedures, causes and meta
 * statements `attributeOutcomes` and the `derive…` functions compute from the whole list,
 * at the cost of what an episode changes rather than of the whole history. An episode
 * changes the counts of its own options; when that moves which options are proven at a
 * point, or which are known to fail, the failures that chose them are attributed again.
 */
export class EvidenceLedger {
  private readonly episodes: RecordedEpisode[] = [];
  private readonly options = new Map<string, Map<string, OptionEvidence>>();
  private readonly proven = new Set<string>();
  /** Per point, how many of its options are proven; the points with none. */
  private readonly provenAt = new Map<string, number>();
  private readonly unproven = new Set<string>();
  /** Per option key, the episodes (oldest first) that chose it. */
  private readonly chosenIn = new Map<string, RecordedEpisode[]>();
  /** The failures in the evidence, oldest first. */
  private readonly failures = new Map<RecordedEpisode, Failure>();
  private readonly blameCount = new Map<string, number>();
  private readonly knownBad = new Set<string>();
  private readonly tasks = new Map<string, TaskTally>();
  private readonly lessonsByPoint = new Map<string, KnowledgeLesson[]>();
  private readonly causeTallies = new Map<string, CauseTally>();
  /** Per cause, the episode its tally starts at (the first that blames it). */
  private readonly causeStarts = new Map<string, RecordedEpisode>();
  // What changed since the last view.
  private readonly pointsToProve = new Set<string>();
  private readonly pointsToTeach = new Set<string>();
  private readonly toSuspect = new Set<RecordedEpisode>();
  private readonly blameMoved = new Set<string>();
  /** Causes to tally again from all the episodes that chose them. */
  private readonly causesToTally = new Set<string>();
  /** Per option key, the episodes added since the last view that chose it: its tally goes on with them. */
  private readonly causesToExtend = new Map<string, RecordedEpisode[]>();
  private view: KnowledgeView | undefined;

  /** @param points - the decision points by key (read for their labels and options; only added to). */
  constructor(private readonly points: ReadonlyMap<string, DecisionPoint>) {}

  /** The episodes, oldest first. */
  get list(): readonly RecordedEpisode[] {
    return this.episodes;
  }

  /** The attribution of a failed episode in the evidence. */
  failureOf(episode: RecordedEpisode): FailureAttribution | undefined {
    this.knowledge();
    return this.failures.get(episode)?.attribution;
  }

  /** Adds an episode (the newest). */
  add(episode: RecordedEpisode): void {
    this.view = undefined;
    this.episodes.push(episode);
    const task = this.task(episode.taskType);
    if (episode.success) {
      task.successes += 1;
      task.latestSuccess = episode;
    } else {
      task.failures += 1;
      this.failures.set(episode, { suspects: [], attribution: { episode, blamed: [] }, explained: [], inMeta: false });
      this.toSuspect.add(episode);
    }
    for (const decision of episode.decisions) {
      const key = keyOf(decision);
      const item = this.evidence(decision);
      item.trials += 1;
      item.returnSum += episode.return;
      if (episode.success) item.successes += 1;
      let chosen = this.chosenIn.get(key);
      if (chosen === undefined) {
        chosen = [];
        this.chosenIn.set(key, chosen);
      }
      chosen.push(episode);
      bump(episode.success ? task.inSuccesses : task.inFailures, key, 1);
      bump(task.points, decision.point, 1);
      task.pointSet.add(decision.point);
      this.pointsToProve.add(decision.point);
      this.pointsToTeach.add(decision.point);
      const extend = this.causesToExtend.get(key);
      if (extend === undefined) this.causesToExtend.set(key, [episode]);
      else extend.push(episode);
    }
  }

  /** Drops the oldest episode. */
  dropOldest(): void {
    const episode = this.episodes.shift();
    if (episode === undefined) return;
    this.view = undefined;
    const failure = this.failures.get(episode);
    const task = this.task(episode.taskType);
    if (failure !== undefined) {
      this.uncountBlame(failure);
      if (failure.suspects.length === 1) this.moveBlame(failure.suspects[0] as RecordedDecision, -1);
      this.failures.delete(episode);
      this.toSuspect.delete(episode);
      task.failures -= 1;
    } else {
      task.successes -= 1;
      if (task.latestSuccess === episode) task.latestSuccess = undefined;
    }
    for (const decision of episode.decisions) {
      const key = keyOf(decision);
      const point = this.options.get(decision.point) as Map<string, OptionEvidence>;
      const item = point.get(decision.chosen) as OptionEvidence;
      item.trials -= 1;
      item.returnSum -= episode.return;
      if (episode.success) item.successes -= 1;
      if (item.trials === 0) {
        point.delete(decision.chosen);
        if (point.size === 0) {
          this.options.delete(decision.point);
          this.unproven.delete(decision.point);
        }
        if (this.proven.delete(key)) bump(this.provenAt, decision.point, -1);
      }
      const chosen = this.chosenIn.get(key) as RecordedEpisode[];
      chosen.shift();
      if (chosen.length === 0) this.chosenIn.delete(key);
      bump(episode.success ? task.inSuccesses : task.inFailures, key, -1);
      bump(task.points, decision.point, -1);
      if (!task.points.has(decision.point)) task.pointSet.delete(decision.point);
      this.pointsToProve.add(decision.point);
      this.pointsToTeach.add(decision.point);
      // A tally starts at the first episode that blames the option: only losing that one moves it.
      if (this.causeStarts.get(key) === episode || !this.chosenIn.has(key)) this.causesToTally.add(key);
    }
    if (task.successes + task.failures === 0) this.tasks.delete(episode.taskType);
  }

  /** Lessons, procedures, causes and meta statements, brought up to date (computed once per change). */
  knowledge(): KnowledgeView {
    if (this.view !== undefined) return this.view;
    this.settle();
    for (const key of this.pointsToTeach) {
      const point = this.points.get(key);
      const options = this.options.get(key);
      if (point === undefined || options === undefined) this.lessonsByPoint.delete(key);
      else this.lessonsByPoint.set(key, lessonsOfPoint(point, options));
    }
    this.pointsToTeach.clear();
    for (const key of this.causesToTally) {
      const chosen = this.chosenIn.get(key) ?? [];
      this.causeTallies.delete(key);
      this.causeStarts.delete(key);
      this.tallyOn(key, chosen);
      this.causesToExtend.delete(key);
    }
    for (const [key, added] of this.causesToExtend) this.tallyOn(key, added);
    this.causesToExtend.clear();
    this.causesToTally.clear();
    const byTask = [...this.tasks].sort(([a], [b]) => a.localeCompare(b));
    this.view = {
      attribution: this.attribution(),
      lessons: [...this.lessonsByPoint.values()].flat().sort((a, b) => b.confidence - a.confidence || a.text.localeCompare(b.text)),
      procedures: byTask.flatMap(([taskType, task]) => this.procedure(taskType, task) ?? []),
      causes: causesOf(this.causeTallies.values(), this.points),
      meta: byTask.flatMap(([taskType, task]) => metaOf(taskType, task.meta) ?? []),
      pointsByTask: new Map(byTask.map(([taskType, task]) => [taskType, task.pointSet])),
      unprovenPoints: this.unproven,
    };
    return this.view;
  }

  /** The attribution as it stands; its list of failures is made when first read (nothing on the learning path reads it). */
  private attribution(): Attribution {
    const failures = this.failures;
    let list: FailureAttribution[] | undefined;
    return {
      options: this.options,
      proven: this.proven,
      get failures() {
        list ??= [...failures.values()].map((failure) => failure.attribution);
        return list;
      },
    };
  }

  /** Attributes again what the changes since the last view moved (see the class comment). */
  private settle(): void {
    const flipped: string[] = [];
    for (const key of this.pointsToProve) {
      const options = this.options.get(key);
      if (options === undefined) continue;
      let bestLow = -1;
      for (const item of options.values()) bestLow = Math.max(bestLow, wilsonInterval(item).low);
      for (const item of options.values()) {
        const name = `${key}\u0000${item.option}`;
        const proven = item.successes > 0 && wilsonInterval(item).high >= bestLow;
        if (proven === this.proven.has(name)) continue;
        if (proven) this.proven.add(name);
        else this.proven.delete(name);
        bump(this.provenAt, key, proven ? 1 : -1);
        flipped.push(name);
      }
      if (this.provenAt.has(key)) this.unproven.delete(key);
      else this.unproven.add(key);
    }
    this.pointsToProve.clear();
    for (const name of flipped) for (const episode of this.chosenIn.get(name) ?? []) if (this.failures.has(episode)) this.toSuspect.add(episode);
    const toBlame = new Set<RecordedEpisode>();
    for (const episode of this.toSuspect) {
      const failure = this.failures.get(episode) as Failure;
      if (failure.suspects.length === 1) this.moveBlame(failure.suspects[0] as RecordedDecision, -1);
      failure.suspects = episode.decisions.filter((decision) => !this.proven.has(keyOf(decision)));
      if (failure.suspects.length === 1) this.moveBlame(failure.suspects[0] as RecordedDecision, 1);
      toBlame.add(episode);
    }
    this.toSuspect.clear();
    for (const name of this.blameMoved) {
      const bad = (this.blameCount.get(name) ?? 0) >= KNOWN_BAD_BLAME;
      if (bad === this.knownBad.has(name)) continue;
      if (bad) this.knownBad.add(name);
      else this.knownBad.delete(name);
      for (const episode of this.chosenIn.get(name) ?? []) if ((this.failures.get(episode)?.suspects.length ?? 0) > 1) toBlame.add(episode);
    }
    this.blameMoved.clear();
    for (const episode of toBlame) this.blame(this.failures.get(episode) as Failure);
  }

  /** Counts a failure's blame anew: its one suspect, else the suspects known to fail; the other suspects are explained. */
  private blame(failure: Failure): void {
    const before = failure.attribution.blamed;
    const counted = failure.inMeta;
    this.uncountBlame(failure);
    const { suspects } = failure;
    const blamed = suspects.length === 1 ? suspects : suspects.filter((decision) => this.knownBad.has(keyOf(decision)));
    failure.explained = blamed.length > 0 ? suspects.filter((decision) => !blamed.includes(decision)) : [];
    if (blamed.length !== before.length || blamed.some((decision, index) => decision !== before[index])) {
      failure.attribution = { episode: failure.attribution.episode, blamed };
      // A new failure's blame is read when the tallies go on through it; an old one's moved.
      if (counted) for (const decision of [...before, ...blamed]) this.causesToTally.add(keyOf(decision));
    }
    for (const decision of blamed) this.evidence(decision).blamed += 1;
    for (const decision of failure.explained) this.evidence(decision).explained += 1;
    for (const decision of [...blamed, ...failure.explained]) this.pointsToTeach.add(decision.point);
    const meta = this.task(failure.attribution.episode.taskType).meta;
    const labels = blamedLabels(blamed, this.points);
    meta.failures += 1;
    if (labels.size === 0) meta.unexplained += 1;
    for (const label of labels) bump(meta.decided, label, 1);
    failure.inMeta = true;
  }

  /** Takes a failure's counted blame and explanations (and its place in the meta tally) back out. */
  private uncountBlame(failure: Failure): void {
    for (const decision of failure.attribution.blamed) this.evidence(decision).blamed -= 1;
    for (const decision of failure.explained) this.evidence(decision).explained -= 1;
    for (const decision of [...failure.attribution.blamed, ...failure.explained]) this.pointsToTeach.add(decision.point);
    if (!failure.inMeta) return;
    const meta = this.task(failure.attribution.episode.taskType).meta;
    const labels = blamedLabels(failure.attribution.blamed, this.points);
    meta.failures -= 1;
    if (labels.size === 0) meta.unexplained -= 1;
    for (const label of labels) bump(meta.decided, label, -1);
    failure.inMeta = false;
  }

  private moveBlame(decision: RecordedDecision, by: number): void {
    const name = keyOf(decision);
    bump(this.blameCount, name, by);
    this.blameMoved.add(name);
  }

  private isBlamed(episode: RecordedEpisode, key: string): boolean {
    return this.failures.get(episode)?.attribution.blamed.some((decision) => keyOf(decision) === key) === true;
  }

  /** Carries an option's cause tally on through these episodes (which chose it), in order. */
  private tallyOn(key: string, episodes: readonly RecordedEpisode[]): void {
    const decision = episodes[0]?.decisions.find((item) => keyOf(item) === key);
    if (decision === undefined) return;
    const before = this.causeTallies.get(key);
    const chosen = episodes.map((episode) => ({ episode, blamed: this.isBlamed(episode, key) }));
    const tally = tallyCause(decision, chosen, before);
    if (tally === undefined || tally === before) return;
    this.causeTallies.set(key, tally);
    this.causeStarts.set(key, (chosen.find((item) => item.blamed) as { episode: RecordedEpisode }).episode);
  }

  private procedure(taskType: string, task: TaskTally): Procedure | undefined {
    const shared = (task.latestSuccess?.decisions ?? [])
      .filter((decision) => task.inSuccesses.get(keyOf(decision)) === task.successes)
      .map((decision) => ({ ...decision, lackedBy: task.failures - (task.inFailures.get(keyOf(decision)) ?? 0) }));
    return procedureOf({ taskType, successes: task.successes, failures: task.failures, shared, points: this.points });
  }

  private evidence(decision: RecordedDecision): OptionEvidence {
    let point = this.options.get(decision.point);
    if (point === undefined) {
      point = new Map();
      this.options.set(decision.point, point);
    }
    let found = point.get(decision.chosen);
    if (found === undefined) {
      found = { option: decision.chosen, trials: 0, successes: 0, blamed: 0, explained: 0, returnSum: 0 };
      point.set(decision.chosen, found);
    }
    return found;
  }

  private task(taskType: string): TaskTally {
    let task = this.tasks.get(taskType);
    if (task === undefined) {
      task = { successes: 0, failures: 0, latestSuccess: undefined, inSuccesses: new Map(), inFailures: new Map(), points: new Map(), pointSet: new Set(), meta: { failures: 0, unexplained: 0, decided: new Map() } };
      this.tasks.set(taskType, task);
    }
    return task;
  }
}
