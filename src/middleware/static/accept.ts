// What an Accept header (RFC 9110 §12.5.1) says about the two answers the static app can choose between: HTML for a
// browser (SPA fallback, listings) and JSON for a script (listings). Key decision: a navigation names text/html
// explicitly, while fetch(), <img> and <script> send `*/*` or image types, so "names HTML" and "takes anything" differ.

/** How a request takes HTML: named explicitly (a navigation), through a wildcard, or not at all (q=0 or absent). */
export type HtmlAcceptance = 'explicit' | 'wildcard' | 'none';

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** Parse an Accept value into media ranges with their weights (malformed members are dropped). */
export function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const member of header.split(',')) {
    const [range = '', ...params] = member.split(';');
    const slash = range.indexOf('/');
    if (slash <= 0) continue;
    const type = range.slice(0, slash).trim().toLowerCase();
    const subtype = range.slice(slash + 1).trim().toLowerCase();
    if (type === '' || subtype === '') continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'q') q = parseWeight(param.slice(eq + 1).trim());
    }
    ranges.push({ type, subtype, q });
  }
  return ranges;
}

/** The weight the header gives one media type, from its most specific matching range (RFC 9110 §12.5.1); 0 = refused. */
export function weightOf(ranges: readonly MediaRange[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity = r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' && r.subtype === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}

/** How an Accept header takes text/html; no header takes anything (RFC 9110 §12.5.1). */
export function htmlAcceptance(accept: string | undefined): HtmlAcceptance {
  if (accept === undefined) return 'wildcard';
  const ranges = parseAccept(accept);
  if (weightOf(ranges, 'text', 'html') <= 0) return 'none';
  return ranges.some((r) => r.type === 'text' && r.subtype === 'html' && r.q > 0) ? 'explicit' : 'wildcard';
}

/** Whether the client prefers application/json to text/html (a script asking for a listing). */
export function prefersJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const ranges = parseAccept(accept);
  const json = weightOf(ranges, 'application', 'json');
  // Ties go to HTML: a browser's `*/*` must keep getting the page.
  return json > 0 && json > weightOf(ranges, 'text', 'html');
}

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ); anything else makes it unusable (0).
function parseWeight(value: string): number {
  return /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(value) ? Number(value) : 0;
}
