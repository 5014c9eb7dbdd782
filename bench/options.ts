// Command-line options of `npm run bench`: quick smoke vs full run, filters, repetitions and durations.
import { parseArgs } from 'node:util';

/** Parsed bench options. */
export interface BenchOptions {
  quick: boolean;
  only: RegExp;
  scenario: RegExp;
  reps: number;
  durationS: number;
  warmupS: number;
  conduit: boolean;
  help: boolean;
}

/** Help text of `npm run bench -- --help`. */
export const USAGE = `usage: npm run bench -- [--quick] [--only <target regex>] [--scenario <scenario regex>]
                        [--reps N] [--duration S] [--warmup S] [--no-conduit]
  --quick       one repetition, 3 s per scenario, the smoke subset (1-2 minutes)
  default       3 repetitions, 5 s per scenario, every scenario (15-20 minutes)
results: bench/results/latest.md and latest.json (plus timestamped copies)`;

/** Full-run defaults: 54 (target, scenario) runs per repetition, 3 repetitions: about 20 minutes on a 2-core box. */
export const FULL = { reps: 3, durationS: 5, warmupS: 2 } as const;
/** Quick-run defaults. */
export const QUICK = { reps: 1, durationS: 3, warmupS: 1 } as const;

function toPositive(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw Object.assign(new Error(`--${name} needs a positive number, got "${v}"`), { code: 'BAD_OPTION' });
  return n;
}

function toRegExp(name: string, v: string | undefined): RegExp {
  try {
    return new RegExp(v ?? '.');
  } catch {
    throw Object.assign(new Error(`--${name}: invalid regular expression "${v}"`), { code: 'BAD_OPTION' });
  }
}

/** Parses argv (without node and the script); throws errors with code BAD_OPTION. */
export function parseBenchOptions(argv: string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: {
      quick: { type: 'boolean', default: false }, only: { type: 'string' }, scenario: { type: 'string' },
      reps: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' },
      'no-conduit': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }));
  } catch (err) {
    throw Object.assign(new Error((err as Error).message), { code: 'BAD_OPTION' });
  }
  const base = values.quick ? QUICK : FULL;
  const reps = toPositive('reps', values.reps, base.reps);
  if (!Number.isInteger(reps)) throw Object.assign(new Error(`--reps needs a whole number, got "${values.reps}"`), { code: 'BAD_OPTION' });
  return {
    quick: values.quick!, only: toRegExp('only', values.only), scenario: toRegExp('scenario', values.scenario), reps,
    durationS: toPositive('duration', values.duration, base.durationS), warmupS: toPositive('warmup', values.warmup, base.warmupS),
    conduit: !values['no-conduit'], help: values.help!,
  };
}
