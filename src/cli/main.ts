// The `sluice` command: parse argv, run the command, exit with its code (0 ok, 1 failure, 2 usage error).
// Key decision: this file only dispatches; each command lives in its own module so tests can drive it in-process.

import { parseCliArgs, USAGE } from './args.js';
import { readVersion } from './version.js';
import { EXIT_USAGE, PROCESS_OUTPUT, reportFailure, runServe } from './serve-command.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseCliArgs(argv);
  switch (command.kind) {
    case 'help':
      PROCESS_OUTPUT.out(USAGE);
      return 0;
    case 'version':
      PROCESS_OUTPUT.out(readVersion());
      return 0;
    case 'usage-error':
      PROCESS_OUTPUT.err(`sluice: ${command.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    case 'serve':
      return runServe(command.config, PROCESS_OUTPUT);
  }
}

main(process.argv.slice(2)).then(
  // exit(): the native reactor may still hold the loop open once everything is closed.
  (code) => process.exit(code),
  (err: unknown) => process.exit(reportFailure(err, PROCESS_OUTPUT)),
);
