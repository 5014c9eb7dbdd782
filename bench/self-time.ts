// Self-time summary of a profile: 0x's stack tree (`--tree-debug`, nodes with `top` = samples where the frame
// was on top) folded by function name, so the same function reached from several stacks counts once.

/** A node of 0x's stacks.<pid>.json tree. */
export interface StackNode {
  name: string;
  value: number;
  top: number;
  children?: StackNode[];
}

/** One line of the top list: weight is samples (0x) or microseconds (.cpuprofile). */
export interface SelfTime {
  name: string;
  weight: number;
  fraction: number;
}

/** Sums self samples per function name over the tree and returns the `limit` largest. */
export function summarizeSelfTime(root: StackNode, limit = 15): SelfTime[] {
  const self = new Map<string, number>();
  let total = 0;
  const stack: StackNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.top > 0) {
      self.set(node.name, (self.get(node.name) ?? 0) + node.top);
      total += node.top;
    }
    if (node.children) stack.push(...node.children);
  }
  return [...self.entries()]
    .map(([name, weight]) => ({ name, weight, fraction: total > 0 ? weight / total : 0 }))
    .sort((a, b) => b.weight - a.weight || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** Reads the merged tree out of a stacks.<pid>.json document; throws BAD_STACKS when it has none. */
export function extractMergedTree(doc: unknown): StackNode {
  const merged = (doc as { merged?: unknown } | null)?.merged;
  if (typeof merged !== 'object' || merged === null || typeof (merged as StackNode).name !== 'string') {
    throw Object.assign(new Error('0x stacks file has no merged tree'), { code: 'BAD_STACKS' });
  }
  return merged as StackNode;
}

/** Renders the top list as aligned text lines; `us` weights are shown in milliseconds. */
export function renderSelfTime(rows: readonly SelfTime[], unit: 'samples' | 'us' = 'samples'): string {
  const show = (w: number): string => (unit === 'us' ? `${(w / 1000).toFixed(1)}ms` : String(w));
  return rows.map((r, i) => `${String(i + 1).padStart(2)}. ${(r.fraction * 100).toFixed(1).padStart(5)}%  ${show(r.weight).padStart(8)}  ${r.name}`).join('\n');
}
