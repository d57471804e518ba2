import { contentWords } from "../embeddings/index.js";

/**
 * Words found in at least `minShare` of the texts, most widespread first (ties alphabetical).
 */
export function commonTerms(texts: readonly string[], { minShare = 0.5, max = 6 } = {}): string[] {
  if (texts.length === 0) return [];
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const word of new Set(contentWords(text))) documentFrequency.set(word, (documentFrequency.get(word) ?? 0) + 1);
  }
  const needed = Math.max(1, Math.ceil(minShare * texts.length));
  return [...documentFrequency]
    .filter(([, count]) => count >= needed)
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
    .slice(0, max)
    .map(([word]) => word);
}

/** Index of the medoid: the vector with the highest total similarity to the others. */
export function representativeIndex(vectors: readonly Float32Array[]): number {
  let best = 0;
  let bestTotal = -Infinity;
  vectors.forEach((vector, index) => {
    let total = 0;
    for (const other of vectors) {
      for (let dimension = 0; dimension < vector.length; dimension += 1) {
        total += (vector[dimension] as number) * (other[dimension] as number);
      }
    }
    if (total > bestTotal) {
      bestTotal = total;
      best = index;
    }
  });
  return best;
}

/** A rule-based pattern summary of a cluster of episodes. */
export function rulePattern(members: ReadonlyArray<{ content: string; kind: string }>, representative: string): string {
  const successes = members.filter((member) => member.kind === "success").length;
  const failures = members.filter((member) => member.kind === "failure").length;
  const terms = commonTerms(members.map((member) => member.content));
  const outcome = successes + failures > 0 ? ` (${successes} succeeded, ${failures} failed)` : "";
  const about = terms.length > 0 ? `, about ${terms.join(", ")}` : "";
  return `Pattern across ${members.length} episodes${outcome}${about}. Representative: "${representative}"`;
}

/** A rule-based procedure: what successes share and failures lack, and the reverse. */
export function ruleProcedure({
  taskType,
  successes,
  failures,
}: {
  taskType: string;
  successes: readonly string[];
  failures: readonly string[];
}): string {
  const good = commonTerms(successes, { max: 10 });
  const bad = commonTerms(failures, { max: 10 });
  const doTerms = good.filter((term) => !bad.includes(term));
  const avoidTerms = bad.filter((term) => !good.includes(term));
  const parts = [`Procedure for ${taskType} tasks, from ${successes.length} successes and ${failures.length} failures:`];
  parts.push(doTerms.length > 0 ? `1. do what successes share: ${doTerms.join(", ")}.` : "1. follow the successful examples.");
  parts.push(avoidTerms.length > 0 ? `2. avoid what failures share: ${avoidTerms.join(", ")}.` : "2. check the result before finishing.");
  return parts.join(" ");
}

/** A rule-based meta memory contrasting high- and low-value memories. */
export function ruleWisdom({ high, low }: { high: readonly string[]; low: readonly string[] }): string {
  const works = commonTerms(high, { minShare: 0.34, max: 8 });
  const fails = commonTerms(low, { minShare: 0.34, max: 8 }).filter((term) => !works.includes(term));
  const worksText = works.length > 0 ? works.join(", ") : "no shared theme yet";
  const failsText = low.length === 0 ? "nothing has scored low yet" : fails.length > 0 ? fails.join(", ") : "no shared theme";
  return `What works (${high.length} high-value memories): ${worksText}. What does not (${low.length} low-value memories): ${failsText}.`;
}
