// Runs a fixture that opens `connections` good and bad client connections to `port` from a child process (so the
// clients' own sockets and memory are not the server's); resolves when the child has printed 'done' and exited 0.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

export async function runClientChild(script: string, port: number, connections: number): Promise<void> {
  const child = spawn(process.execPath, [script, String(port), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0 || !out.includes('done')) throw new Error(`client child ${script} exited ${code}`);
}
