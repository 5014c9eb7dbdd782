// Content-coding negotiation (RFC 9110 §12.5.3): Accept-Encoding with q-values, `*`, and identity. Key decision:
// among acceptable codings the highest q wins and ties go to the server's order; no header means identity (any
// coding would be allowed, but old clients that send none often cannot decode one).

/** One Accept-Encoding member: a lower-cased coding (or '*') and its weight. */
export interface CodingWeight {
  readonly coding: string;
  readonly q: number;
}

/** The outcome of negotiation. */
export type EncodingChoice =
  /** Send this coding. */
  | { readonly kind: 'coding'; readonly coding: string }
  /** Send the representation unencoded. */
  | { readonly kind: 'identity' }
  /** The client refused identity and every coding we have (§12.5.3 allows a 415 or ignoring the header). */
  | { readonly kind: 'none-acceptable' };

const IDENTITY: EncodingChoice = Object.freeze({ kind: 'identity' as const });
const NONE: EncodingChoice = Object.freeze({ kind: 'none-acceptable' as const });

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;
// RFC 9110 §5.6.2: token = 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses an Accept-Encoding value into its members, in order. Members that are not a token, or whose weight is not
 * a valid qvalue, are dropped (a malformed member says nothing reliable). `x-gzip` counts as gzip (§8.4.1.3).
 */
export function parseAcceptEncoding(value: string): CodingWeight[] {
  const out: CodingWeight[] = [];
  for (const member of value.split(',')) {
    const parts = member.split(';');
    let coding = parts[0]!.trim().toLowerCase();
    if (coding === '') continue; // §5.6.1: empty list elements are allowed and ignored
    if (!TOKEN.test(coding)) continue;
    if (coding === 'x-gzip') coding = 'gzip';
    let q = 1;
    for (let i = 1; i < parts.length; i++) {
      const param = parts[i]!;
      const eq = param.indexOf('=');
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue; // other parameters are ignored
      const text = param.slice(eq + 1).trim();
      q = QVALUE.test(text) ? Number(text) : NaN;
    }
    if (!Number.isNaN(q)) out.push({ coding, q });
  }
  return out;
}

/** The weight a parsed list gives a coding: its own member (the first wins), else `*`, else `fallback`. */
export function weightOf(members: readonly CodingWeight[], coding: string, fallback: number): number {
  let star = -1;
  for (const m of members) {
    if (m.coding === coding) return m.q;
    if (m.coding === '*' && star < 0) star = m.q;
  }
  return star >= 0 ? star : fallback;
}

/**
 * Picks a coding from `available` (server preference order) for an Accept-Encoding value (undefined when the
 * request had none). RFC 9110 §12.5.3: q=0 means "not acceptable"; `*` covers codings not listed; identity is
 * acceptable unless excluded by `identity;q=0` or by `*;q=0` without an identity member, and beats a coding only
 * when listed with a higher q.
 */
export function negotiateEncoding(header: string | null | undefined, available: readonly string[]): EncodingChoice {
  if (header === undefined || header === null) return IDENTITY;
  const members = parseAcceptEncoding(header);
  let best: string | null = null;
  let bestQ = 0;
  for (const coding of available) {
    const q = weightOf(members, coding, 0);
    if (q > bestQ) {
      best = coding;
      bestQ = q;
    }
  }
  // Identity competes on q only when the client listed it; otherwise it is the acceptable default, never preferred.
  const listed = members.find((m) => m.coding === 'identity');
  if (best !== null && (listed === undefined || bestQ >= listed.q)) return { kind: 'coding', coding: best };
  if (weightOf(members, 'identity', 1) > 0) return IDENTITY;
  return NONE;
}

/** Most distinct Accept-Encoding values a Negotiator remembers (browsers send a handful). */
export const NEGOTIATION_CACHE_SIZE = 256;

/**
 * negotiateEncoding for a fixed list of codings, memoised by header value (hot path: real traffic repeats a few
 * values, so parsing is paid once per distinct value). The memo is cleared when it fills.
 */
export function createNegotiator(available: readonly string[]): (header: string | null | undefined) => EncodingChoice {
  const memo = new Map<string, EncodingChoice>();
  return (header) => {
    if (header === undefined || header === null) return IDENTITY;
    let choice = memo.get(header);
    if (choice === undefined) {
      choice = negotiateEncoding(header, available);
      if (memo.size >= NEGOTIATION_CACHE_SIZE) memo.clear();
      memo.set(header, choice);
    }
    return choice;
  };
}
