// Self-time summary of a profile: 0x's stack tree (`--tree-debug`, nodes with `top` = samples where the frame
// was on top) folded by function name, so the same function reached from several stacks counts once.

/** A node of 0x's stacks.<pid>.json tree. */
export interface StackNode {
  name: string;
  value: number;
  top: number;
  children?: StackNode[];
}

/** One line of the top list. */
export interface SelfTime {
  name: string;
  samples: number;
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
    .map(([name, samples]) => ({ name, samples, fraction: total > 0 ? samples / total : 0 }))
    .sort((a, b) => b.samples - a.samples || a.name.localeCompare(b.name))
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

/** Renders the top list as aligned text lines. */
export function renderSelfTime(rows: readonly SelfTime[]): string {
  return rows.map((r, i) => `${String(i + 1).padStart(2)}. ${(r.fraction * 100).toFixed(1).padStart(5)}%  ${String(r.samples).padStart(6)}  ${r.name}`).join('\n');
}
