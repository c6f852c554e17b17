/**
 * What counts as a likely typo, one rule for the linter's fixes (a misspelt summary field, PL003) and the CLI's
 * "did you mean": a name within 2 edits, and closer than every other candidate.
 */
import { distance } from 'fastest-levenshtein';

const MAX_EDITS = 2;

/** The one name within 2 edits of `word` that is closer than every other, if there is one. */
export function closest(word: string, names: readonly string[]): string | undefined {
  const near = names
    .map((name) => ({ name, edits: distance(word, name) }))
    .filter((n) => n.edits <= MAX_EDITS)
    .sort((a, b) => a.edits - b.edits);
  const [first, second] = near;
  return first && (!second || second.edits > first.edits) ? first.name : undefined;
}
