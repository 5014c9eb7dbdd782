// Typed errors for bad options (serve() settings, staticFiles() options, the CLI's config file): the key is named and
// a misspelling gets the nearest known key. Key decision: unknown keys are errors, not ignored, because a silently
// ignored `idleTimeoutMS` leaves the default in force with nothing to say why.

/** What went wrong: an unknown key, a bad value, or an app that is not a function. */
export type OptionErrorCode = 'UNKNOWN_OPTION' | 'INVALID_OPTION' | 'INVALID_APP';

/** A bad option; a TypeError, so `instanceof TypeError` checks keep working. */
export class OptionError extends TypeError {
  /** Match on this, never on the message. */
  readonly code: OptionErrorCode;
  /** The key at fault ('port', 'idleTimeoutMS'). */
  readonly key: string;
  /** The nearest known key for an unknown one, else null. */
  readonly suggestion: string | null;

  constructor(code: OptionErrorCode, key: string, message: string, suggestion: string | null = null) {
    super(message);
    this.name = 'OptionError';
    this.code = code;
    this.key = key;
    this.suggestion = suggestion;
  }
}

/** Throws OptionError UNKNOWN_OPTION for the first own key of `value` not in `known` ("settings.idleTimeoutMS"). */
export function checkKnownKeys(what: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const suggestion = nearestKey(key, known);
    const hint = suggestion === null ? `; known keys: ${known.join(', ')}` : ` (did you mean '${suggestion}'?)`;
    throw new OptionError('UNKNOWN_OPTION', key, `unknown ${what} '${key}'${hint}`, suggestion);
  }
}

/** The known key nearest to `key` (case-insensitive edit distance, at most a third of its length), or null. */
export function nearestKey(key: string, known: readonly string[]): string | null {
  const wanted = normalize(key);
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(wanted.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(wanted, normalize(candidate));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

// 'max-age', 'max_age' and 'maxAge' are one key to a reader.
function normalize(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** Levenshtein distance with adjacent transpositions counted as one edit (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}
