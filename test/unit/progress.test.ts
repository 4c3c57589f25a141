import { describe, it, expect, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { Progress } from '../../src/report/progress.js';
import { actionsDisplay, consoleDisplay } from '../../src/report/console.js';
import type { TagResult } from '../../src/model/result.js';

const item = (status: TagResult['status']): TagResult => ({ source: 'a/b:1', target: 'a/b:1', status });

describe('Progress', () => {
  it('counts tags, bytes, rate, ETA and failures', () => {
    let now = 0;
    const p = new Progress(() => now);
    for (let i = 0; i < 4; i++) p.onEvent({ type: 'queued', source: `a/b:${i}` });
    expect(p.line()).toContain('0/4+ tags');
    now = 10_000;
    p.onEvent({ type: 'done', item: item('migrated'), queued: true, dryRun: false });
    p.onEvent({ type: 'bytes', bytes: 50_000_000 });
    p.onEvent({ type: 'done', item: item('failed'), queued: true, dryRun: false });
    p.onEvent({ type: 'done', item: item('skipped'), queued: false, dryRun: false }); // filtered: counts in the total too
    p.onEvent({ type: 'discovered' });
    expect(p.line()).toBe('harbor-sync: 3/5 tags · 50.0 MB sent · 5.0 MB/s · ETA 7 s · 1 failed · 10 s elapsed');
  });
});

function capture(tty: boolean) {
  const err = Object.assign(new PassThrough(), { isTTY: tty });
  const out = new PassThrough();
  let errText = '';
  let outText = '';
  err.on('data', (d: Buffer) => (errText += d.toString()));
  out.on('data', (d: Buffer) => (outText += d.toString()));
  return { err, out, text: () => ({ err: errText, out: outText }) };
}

describe('console display', () => {
  it('in a log: per-tag lines and a progress line at each interval', async () => {
    vi.useFakeTimers();
    const c = capture(false);
    const d = consoleDisplay({ err: c.err, out: c.out, quiet: false, json: false, intervalMs: 1000 });
    d.logger.event!({ type: 'queued', source: 'a/b:1' });
    d.logger.info('migrated   a/b:1 → a/b:1');
    vi.advanceTimersByTime(1000);
    d.stop();
    vi.useRealTimers();
    await new Promise((r) => setImmediate(r));
    const lines = c.text().err.trim().split('\n');
    expect(lines[0]).toBe('migrated   a/b:1 → a/b:1');
    expect(lines[1]).toMatch(/^harbor-sync: 0\/1\+ tags/);
    expect(c.text().out).toBe('');
  });

  it('in a log: the lines of one turn of the event loop in one write, in order; an error at once', async () => {
    const c = capture(false);
    const write = vi.spyOn(c.err, 'write');
    const d = consoleDisplay({ err: c.err, out: c.out, quiet: false, json: false });
    for (let i = 0; i < 500; i++) d.logger.info(`skipped    a/b:${i} → a/b:${i}`);
    expect(write).not.toHaveBeenCalled();
    await new Promise((r) => setImmediate(r));
    expect(write).toHaveBeenCalledTimes(1);
    d.logger.info('skipped    a/b:500 → a/b:500');
    d.logger.error('harbor.example: 503 SERVICE_UNAVAILABLE');
    expect(write).toHaveBeenCalledTimes(2);
    d.stop();
    await new Promise((r) => setImmediate(r));
    const lines = c.text().err.trim().split('\n');
    expect(lines.slice(0, 501)).toEqual(Array.from({ length: 501 }, (_, i) => `skipped    a/b:${i} → a/b:${i}`));
    expect(lines[501]).toBe('error: harbor.example: 503 SERVICE_UNAVAILABLE');
    expect(lines[502]).toMatch(/^harbor-sync: /);
  });

  it('on a terminal: one live line, cleared before other output', async () => {
    vi.useFakeTimers();
    const c = capture(true);
    const d = consoleDisplay({ err: c.err, out: c.out, quiet: false, json: false });
    vi.advanceTimersByTime(500);
    d.logger.warn('stale      x:1 → x:1');
    d.stop();
    vi.useRealTimers();
    await new Promise((r) => setImmediate(r));
    expect(c.text().err).toMatch(/^harbor-sync: [^\n]*\r\x1b\[Kwarning: stale {6}x:1 → x:1\n/);
  });

  it('--json: stdout carries only JSON objects, one per line', async () => {
    const c = capture(false);
    const d = consoleDisplay({ err: c.err, out: c.out, quiet: false, json: true });
    d.logger.event!({ type: 'done', item: item('migrated'), queued: true, dryRun: false });
    d.logger.info('not on stdout');
    d.stop();
    await new Promise((r) => setImmediate(r));
    const lines = c.text().out.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { event: 'tag', source: 'a/b:1', target: 'a/b:1', status: 'migrated' },
    ]);
  });
});

describe('Actions display', () => {
  it('folds each interval into a group titled with the progress line', () => {
    vi.useFakeTimers();
    const calls: string[] = [];
    const core = {
      info: (m: string) => calls.push(`info ${m}`),
      warning: (m: string) => calls.push(`warning ${m}`),
      error: (m: string) => calls.push(`error ${m}`),
      debug: () => undefined,
      startGroup: (m: string) => calls.push(`group ${m}`),
      endGroup: () => calls.push('endgroup'),
    };
    const d = actionsDisplay(core, 1000);
    d.logger.info('migrated a');
    vi.advanceTimersByTime(1000);
    d.logger.info('migrated b');
    d.stop();
    vi.useRealTimers();
    expect(calls[0]).toBe('group harbor-sync: starting');
    expect(calls[1]).toBe('info migrated a');
    expect(calls[2]).toBe('endgroup');
    expect(calls[3]).toMatch(/^group harbor-sync: 0\/0\+ tags/);
    expect(calls.slice(4, 6)).toEqual(['info migrated b', 'endgroup']);
    expect(calls[6]).toMatch(/^info harbor-sync: /);
  });
});
