import { createHash } from "node:crypto";
import { CONFIG_DEFAULTS } from "../config/index.js";
import { cosineSimilarity, VectorCache, type Embedder } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import { normalizeText } from "../learning/index.js";
import { wilsonInterval } from "../learning/math/index.js";
import type { Clock } from "../util/index.js";
import { decodeHistory, encodeHistory } from "./playbook-history.js";
import type { PlaybookHistory, PlaybookScope, PlaybookVersion, Reflection, Strategy } from "./schemas.js";

/** Evidence texts a strategy keeps (the newest): its counts carry the rest. */
export const MAX_EVIDENCE = 5;
/** Source trajectories a strategy names (the newest); which were counted is kept per playbook. */
export const MAX_SOURCES = 20;

/** Appends to a list and keeps only its newest `limit` items. */
function pushCapped(list: string[], item: string, limit: number): void {
  list.push(item);
  if (list.length > limit) list.splice(0, list.length - limit);
}

/** Options of {@link PlaybookStore}. */
export interface PlaybookStoreOptions {
  embedder: Embedder;
  clock: Clock;
  /** Similarity at which a finding is counted into a strategy (for it when of its type, against it otherwise). @default 0.8 */
  mergeSimilarity?: number;
  /** Active strategies a playbook keeps; the weakest are retired beyond it. @default 50 */
  maxStrategies?: number;
  /** Versions kept per playbook (the oldest go first; version numbers keep counting). @default 50 */
  maxVersions?: number;
}

/** What one curation did. */
export interface CurationResult {
  /** The playbook's version after curation (unchanged when nothing changed). */
  version: number;
  added: string[];
  updated: string[];
  retired: string[];
}

/** Differences between two versions of a playbook. */
export interface PlaybookDiff {
  added: Strategy[];
  removed: Strategy[];
  changed: Array<{ id: string; before: Strategy; after: Strategy }>;
}

function strategyId(type: Strategy["type"], description: string): string {
  return `s-${createHash("sha256").update(`${type}\n${normalizeText(description)}`).digest("hex").slice(0, 12)}`;
}

/** Findings that agree with a strategy's type, and findings that contradict it. */
function support(strategy: Strategy): { agree: number; contrary: number } {
  return strategy.type === "helpful"
    ? { agree: strategy.helpfulCount, contrary: strategy.harmfulCount }
    : { agree: strategy.harmfulCount, contrary: strategy.helpfulCount };
}

/** How much a strategy has earned its place: confidence × (1 + agreeing) / (1 + contrary). */
function strength(strategy: Strategy): number {
  const { agree, contrary } = support(strategy);
  return (strategy.confidence * (1 + agree)) / (1 + contrary);
}

/** Contrary findings a strategy must have before it can be retired for them. */
const MIN_CONTRARY = 3;

/**
 * Whether contradicting evidence has overturned a strategy: at least {@link MIN_CONTRARY}
 * contrary findings, and no 95% confidence that most findings agree with it (the Wilson lower
 * bound of the agreeing share is below one half).
 */
function overturned(strategy: Strategy): boolean {
  const { agree, contrary } = support(strategy);
  return contrary >= MIN_CONTRARY && wilsonInterval({ successes: agree, trials: agree + contrary }).low < 0.5;
}

/**
 * Named, versioned, scoped playbooks of strategies. Curation applies explicit operations —
 * add, update (merge into a similar strategy of the same type), retire — and writes the whole
 * playbook as a new version, so a strategy is never duplicated and curating the same
 * reflections again changes nothing.
 */
export class PlaybookStore {
  private readonly versions = new Map<string, PlaybookVersion[]>();
  /** Playbook → trajectory → strategies whose counts that trajectory's evidence is in. */
  private readonly counted = new Map<string, Map<string, Set<string>>>();
  private readonly vectors: VectorCache;
  private readonly clock: Clock;
  private readonly mergeSimilarity: number;
  private readonly maxStrategies: number;
  private readonly maxVersions: number;

  constructor(options: PlaybookStoreOptions) {
    this.maxVersions = options.maxVersions ?? 50;
    this.vectors = new VectorCache(options.embedder);
    this.clock = options.clock;
    this.mergeSimilarity = options.mergeSimilarity ?? CONFIG_DEFAULTS.experience.mergeSimilarity;
    this.maxStrategies = options.maxStrategies ?? CONFIG_DEFAULTS.experience.maxStrategies;
  }


  /** Names of every playbook. */
  names(): string[] {
    return [...this.versions.keys()].sort();
  }

  /**
   * The newest version of a playbook (or the given version).
   *
   * @throws JottyError `invalid_argument` for an unknown playbook or version.
   */
  get(name: string, version?: number): PlaybookVersion {
    const history = this.versions.get(name);
    const found = version === undefined ? history?.at(-1) : history?.find((entry) => entry.version === version);
    if (found === undefined) {
      throw new JottyError({
        code: "invalid_argument",
        message: version === undefined ? `No playbook named "${name}"; create it first.` : `Playbook "${name}" has no version ${version}.`,
        details: { name, ...(version === undefined ? {} : { version }) },
      });
    }
    return structuredClone(found);
  }

  /** Every version of a playbook, oldest first. */
  history(name: string): PlaybookVersion[] {
    return structuredClone(this.versions.get(name) ?? []);
  }

  /** Creates an empty playbook (or returns the existing one). */
  create(name: string, scope: PlaybookScope = { kind: "global" }): PlaybookVersion {
    if (!/^[A-Za-z0-9][A-Za-z0-9:_.-]*$/.test(name)) {
      throw new JottyError({ code: "invalid_argument", message: `Playbook names are letters, digits, ':', '_', '.' and '-'; got "${name}".` });
    }
    const existing = this.versions.get(name);
    if (existing !== undefined) return structuredClone(existing.at(-1) as PlaybookVersion);
    const first: PlaybookVersion = { name, scope, version: 1, strategies: [], usage: { count: 0, successRate: 0, improvement: 0 }, at: this.clock.now(), note: "created" };
    this.versions.set(name, [first]);
    return structuredClone(first);
  }

  private write(name: string, next: Omit<PlaybookVersion, "version" | "at">): PlaybookVersion {
    const history = this.versions.get(name) as PlaybookVersion[];
    const version: PlaybookVersion = { ...structuredClone(next), version: (history.at(-1) as PlaybookVersion).version + 1, at: this.clock.now() };
    history.push(version);
    if (history.length > this.maxVersions) history.splice(0, history.length - this.maxVersions);
    return structuredClone(version);
  }

  /**
   * Curates reflections into a playbook (created if missing). Each finding is counted into the
   * most similar strategy, whatever its type, once per trajectory:
   * - of the same type, it supports it (evidence joined, confidence the larger);
   * - of the other type, it contradicts it (the contrary count grows, confidence × 0.9), and a
   *   strategy whose contrary findings are not clearly outnumbered is retired. A strategy is
   *   therefore never helpful and harmful at once.
   * A finding like a retired strategy changes nothing (retired on purpose, not brought back);
   * a finding like none is added. Beyond the size cap the weakest strategies are retired.
   * Writes a new version only when something changed.
   */
  async curate(name: string, reflections: readonly Reflection[], scope?: PlaybookScope): Promise<CurationResult> {
    const current = this.create(name, scope);
    const strategies = current.strategies;
    const result: CurationResult = { version: current.version, added: [], updated: [], retired: [] };
    for (const reflection of reflections) {
      const findings: Array<{ type: Strategy["type"]; description: string; evidence: string; confidence: number }> = [
        ...reflection.helpfulStrategies.map((item) => ({ type: "helpful" as const, ...item })),
        ...reflection.harmfulPatterns.map((item) => ({ type: "harmful" as const, description: item.description, evidence: item.evidence, confidence: item.confidence })),
      ];
      for (const finding of findings) {
        const vector = await this.vectors.get(finding.description);
        let match: Strategy | undefined;
        let best = -1;
        for (const strategy of strategies) {
          const similarity = cosineSimilarity(vector, await this.vectors.get(strategy.description));
          // An active strategy wins a tie with a retired one.
          if (similarity >= this.mergeSimilarity && (similarity > best || (similarity === best && match?.retired === true && !strategy.retired))) {
            best = similarity;
            match = strategy;
          }
        }
        // Retired on purpose (by hand, by the size cap or by contrary evidence): not brought back by a like finding.
        if (match?.retired === true) continue;
        if (match === undefined) {
          const id = strategyId(finding.type, finding.description);
          if (strategies.some((strategy) => strategy.id === id)) continue;
          this.count(name, reflection.trajectoryId, id);
          strategies.push({
            id,
            type: finding.type,
            description: finding.description,
            evidence: [finding.evidence],
            confidence: finding.confidence,
            helpfulCount: finding.type === "helpful" ? 1 : 0,
            harmfulCount: finding.type === "harmful" ? 1 : 0,
            sourceTrajectories: [reflection.trajectoryId],
            lastReinforced: this.clock.now(),
            retired: false,
          });
          result.added.push(id);
          continue;
        }
        // Counted once per trajectory: curating the same reflection again changes nothing.
        if (this.counted.get(name)?.get(reflection.trajectoryId)?.has(match.id) === true) continue;
        this.count(name, reflection.trajectoryId, match.id);
        pushCapped(match.sourceTrajectories, reflection.trajectoryId, MAX_SOURCES);
        if (finding.type === "helpful") match.helpfulCount += 1;
        else match.harmfulCount += 1;
        if (finding.type === match.type) {
          if (!match.evidence.includes(finding.evidence)) pushCapped(match.evidence, finding.evidence, MAX_EVIDENCE);
          match.confidence = Math.max(match.confidence, finding.confidence);
          match.lastReinforced = this.clock.now();
        } else {
          match.confidence *= 0.9;
          if (overturned(match)) {
            match.retired = true;
            result.retired.push(match.id);
            continue;
          }
        }
        if (!result.updated.includes(match.id)) result.updated.push(match.id);
      }
    }
    const active = strategies.filter((strategy) => !strategy.retired).sort((a, b) => strength(a) - strength(b));
    for (const weak of active.slice(0, Math.max(0, active.length - this.maxStrategies))) {
      weak.retired = true;
      result.retired.push(weak.id);
    }
    if (result.added.length + result.updated.length + result.retired.length === 0) return result;
    const written = this.write(name, { ...current, strategies, note: `curated ${reflections.length} reflection(s)` });
    result.version = written.version;
    return result;
  }

  /**
   * Retires a strategy (it stays in the history, out of use).
   *
   * @throws JottyError `invalid_argument` for an unknown strategy.
   */
  retire(name: string, id: string): PlaybookVersion {
    const current = this.get(name);
    const strategy = current.strategies.find((candidate) => candidate.id === id);
    if (strategy === undefined) throw new JottyError({ code: "invalid_argument", message: `Playbook "${name}" has no strategy ${id}.` });
    strategy.retired = true;
    return this.write(name, { ...current, note: `retired ${id}` });
  }

  /**
   * Counts one use of a playbook: its success rate and improvement are moving averages (rate
   * 0.1). Usage is kept on the newest version; it does not make a version of its own.
   */
  recordUsage(name: string, { success, improvement = 0 }: { success: boolean; improvement?: number }): PlaybookVersion {
    this.get(name);
    const current = (this.versions.get(name) as PlaybookVersion[]).at(-1) as PlaybookVersion;
    const { usage } = current;
    const rate = usage.count === 0 ? 1 : 0.1;
    usage.successRate += rate * ((success ? 1 : 0) - usage.successRate);
    usage.improvement += rate * (improvement - usage.improvement);
    usage.count += 1;
    return structuredClone(current);
  }

  /** The `k` active strategies most relevant to a task: 0.7 × similarity + 0.3 × confidence. */
  async relevantStrategies({ name, task, k = 5 }: { name: string; task: string; k?: number }): Promise<Array<Strategy & { relevance: number }>> {
    const current = this.versions.get(name)?.at(-1);
    if (current === undefined) return [];
    const target = await this.vectors.get(task);
    const scored: Array<Strategy & { relevance: number }> = [];
    for (const strategy of current.strategies) {
      if (strategy.retired) continue;
      const similarity = cosineSimilarity(target, await this.vectors.get(strategy.description));
      scored.push({ ...structuredClone(strategy), relevance: 0.7 * similarity + 0.3 * strategy.confidence });
    }
    return scored.sort((a, b) => b.relevance - a.relevance).slice(0, k);
  }

  /** What changed between two versions. */
  diff(name: string, from: number, to: number): PlaybookDiff {
    const before = new Map(this.get(name, from).strategies.map((strategy) => [strategy.id, strategy]));
    const after = new Map(this.get(name, to).strategies.map((strategy) => [strategy.id, strategy]));
    const diff: PlaybookDiff = { added: [], removed: [], changed: [] };
    for (const [id, strategy] of after) {
      const old = before.get(id);
      if (old === undefined) diff.added.push(strategy);
      else if (JSON.stringify(old) !== JSON.stringify(strategy)) diff.changed.push({ id, before: old, after: strategy });
    }
    for (const [id, strategy] of before) if (!after.has(id)) diff.removed.push(strategy);
    return diff;
  }

  /** Writes an old version's strategies as the newest version (the history keeps everything). */
  rollback(name: string, version: number): PlaybookVersion {
    const target = this.get(name, version);
    const current = this.get(name);
    return this.write(name, { ...current, strategies: target.strategies, note: `rolled back to version ${version}` });
  }

  private count(name: string, trajectory: string, strategy: string): void {
    const byTrajectory = this.counted.get(name) ?? new Map<string, Set<string>>();
    this.counted.set(name, byTrajectory);
    const strategies = byTrajectory.get(trajectory) ?? new Set<string>();
    byTrajectory.set(trajectory, strategies);
    strategies.add(strategy);
  }

  /**
   * Forgets trajectories that can no longer be curated (the Experience module dropped them), so
   * what is kept to count each trajectory once stays as small as the trajectories kept.
   */
  forget(trajectories: Iterable<string>): void {
    const ids = [...trajectories];
    for (const byTrajectory of this.counted.values()) for (const id of ids) byTrajectory.delete(id);
  }

  /** Every version of every playbook, for snapshots: the oldest kept version whole, each later one as a change. */
  snapshot(): Record<string, PlaybookHistory> {
    return Object.fromEntries([...this.versions].map(([name, history]) => [name, encodeHistory(history, this.counted.get(name) ?? new Map())]));
  }

  /**
   * Replaces the contents with a snapshot's: histories of changes, or (as older Jottys wrote
   * them) lists of whole versions, whose evidence and sources are then capped.
   */
  load(snapshot: Record<string, PlaybookHistory | PlaybookVersion[]>): void {
    this.versions.clear();
    this.counted.clear();
    for (const [name, stored] of Object.entries(snapshot)) {
      if (Array.isArray(stored)) {
        const history = structuredClone(stored);
        // Every source a strategy named was counted; the lists themselves are capped from now on.
        for (const strategy of history.at(-1)?.strategies ?? []) for (const trajectory of strategy.sourceTrajectories) this.count(name, trajectory, strategy.id);
        for (const version of history) {
          for (const strategy of version.strategies) {
            strategy.evidence = strategy.evidence.slice(-MAX_EVIDENCE);
            strategy.sourceTrajectories = strategy.sourceTrajectories.slice(-MAX_SOURCES);
          }
        }
        this.versions.set(name, history);
        continue;
      }
      this.versions.set(name, decodeHistory(stored));
      this.counted.set(name, new Map(Object.entries(stored.counted).map(([trajectory, strategies]) => [trajectory, new Set(strategies)])));
    }
  }
}
