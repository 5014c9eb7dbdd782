// The TypeScript blocks of a Markdown file (```ts or ```typescript fences), with the line each one starts on, so a
// compile error can point at the README line a reader sees.

/** One fenced TypeScript block: its code and the 1-based Markdown line of its first code line. */
export interface CodeBlock {
  readonly code: string;
  readonly line: number;
}

/** Every ```ts / ```typescript block of `markdown`, in order. An unclosed fence is an error, not a silent skip. */
export function extractTypeScriptBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end]!)) end++;
    if (end === lines.length) throw new Error(`unclosed TypeScript block at line ${i + 1}`);
    blocks.push({ code: lines.slice(start, end).join('\n') + '\n', line: start + 1 });
    i = end;
  }
  return blocks;
}
