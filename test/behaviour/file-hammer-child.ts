// The other process of the file-cache hammer: on each message it changes a file, then answers 'done', so the parent
// requests the file only after the change has completed in another process.
import { renameSync, writeFileSync } from 'node:fs';
import type { ChangeRequest } from './file-hammer.js';

process.on('message', (m: ChangeRequest) => {
  if (m.how === 'write') writeFileSync(m.path, m.content);
  else {
    writeFileSync(`${m.path}.tmp`, m.content);
    renameSync(`${m.path}.tmp`, m.path);
  }
  process.send!('done');
});
process.on('disconnect', () => process.exit(0));
