/**
 * What a long count needs on the command line: a progress line on stderr when it is a terminal
 * (regions found, rate, elapsed; quiet otherwise), Ctrl-C and --timeout that stop cleanly with the
 * counts so far, and the number of worker threads.
 */
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import type { CountOptions, Progress, StopReason } from '../count/api-types.js';
import { LinearRegionsError } from '../errors.js';

export interface LongRun {
  options: Pick<CountOptions, 'signal' | 'onProgress' | 'threads'>;
  /** The API's stop reason as the CLI reports it: the signal's 'aborted' is Ctrl-C, 'interrupted'. */
  stopReason(api: StopReason): StopReason;
  /** Stops the progress line and removes the signal handlers. */
  finish(): void;
}

/** Parses `--threads N` (1 to 256); default: every core. */
export function parseThreads(text: string | undefined): number {
  if (text === undefined) return Math.max(1, availableParallelism());
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 256) {
    throw new LinearRegionsError('E_ARGS', `--threads must be an integer from 1 to 256, got "${text}"`);
  }
  return n;
}

/** The longest timer Node can set: 2^31 - 1 ms (longer ones fire after 1 ms). */
export const MAX_TIMEOUT_SECONDS = 2147483;

/** Parses `--timeout S` (seconds, > 0, at most MAX_TIMEOUT_SECONDS, about 24.8 days). */
export function parseTimeout(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s <= 0 || s > MAX_TIMEOUT_SECONDS) {
    throw new LinearRegionsError(
      'E_ARGS',
      `--timeout must be a positive number of seconds, at most ${MAX_TIMEOUT_SECONDS} (about 24.8 days), got "${text}"`,
    );
  }
  return s;
}

export function startLongRun(threads: number, timeoutSeconds: number | undefined): LongRun {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130); // a second Ctrl-C does not wait
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  // a TimeoutError reason: the API reports stopReason 'timeout' (as with AbortSignal.timeout)
  const timer =
    timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => controller.abort(new DOMException('the count timed out', 'TimeoutError')), timeoutSeconds * 1000);

  const tty = process.stderr.isTTY === true && process.env.CI === undefined;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: 'counting: {regions} regions | {rate} regions/s | {time}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  bar?.start(1, 0, { regions: 0, rate: 0, time: '0.0 s' });
  const onProgress = (p: Progress) => {
    bar?.update(0, {
      regions: p.activationRegions.toLocaleString('en-US'),
      rate: Math.round(p.activationRegions / Math.max(p.elapsedMs / 1000, 1e-3)).toLocaleString('en-US'),
      time: `${(p.elapsedMs / 1000).toFixed(1)} s`,
    });
  };
  return {
    options: { signal: controller.signal, onProgress, threads },
    stopReason(api: StopReason): StopReason {
      return api === 'aborted' ? 'interrupted' : api;
    },
    finish() {
      bar?.stop();
      if (timer) clearTimeout(timer);
      process.removeListener('SIGINT', onSigint);
    },
  };
}
