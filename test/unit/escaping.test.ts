// Nothing a server or a file says can forge output: hostile text (a newline and `::error::`, the
// older `##[error]` form, `|`, `<img src=…>`, backticks, `%0A`, CR) goes through every renderer
// and comes out inert: no workflow command a runner would act on in a log (read as the runner
// reads it), no table row split and no HTML element in the job summary (rendered as GitHub does).
import * as core from '@actions/core';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { reportMerge } from '../../src/cli/report-merge.js';
import type { SyncEvent } from '../../src/model/events.js';
import type { SyncResult, TagResult } from '../../src/model/result.js';
import { annotationsFor } from '../../src/report/annotations.js';
import { actionsDisplay, consoleDisplay } from '../../src/report/console.js';
import { codeCell, codeSpan, fence, jsonLine, logLine, markdownCell } from '../../src/report/escape.js';
import { buildReport } from '../../src/report/json.js';
import { EXIT } from '../../src/report/outcome.js';
import { renderSummary } from '../../src/report/summary.js';
import { summaryPage } from '../harness/github-markdown.ts';
import { baseResult, digest } from '../harness/summary-cases.ts';
import { FORGED, forgedCommands, workflowCommands } from '../harness/workflow-commands.ts';

const IMG = '<img src=//evil.example/x.png>';

/** Everything written to process.stdout and process.stderr while `work` runs. */
async function captured(work: () => unknown): Promise<string> {
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const keep = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = keep;
  process.stderr.write = keep;
  try {
    await work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return chunks.join('');
}

/** A tag whose every field from outside is hostile. */
function hostileItem(status: TagResult['status']): TagResult {
  return {
    source: `team/app:1${FORGED}`,
    target: `team/app:1${FORGED}`,
    status,
    digest: `sha256:|${IMG}`,
    previousDigest: `${FORGED}${IMG}|`,
    reason: `${FORGED} | ${IMG}`,
    missing: [`sha256:\n\`\`\`\n${IMG}\n${FORGED}`],
    ...(status === 'failed' && {
      error: {
        step: 'manifest',
        errorCode: 'PERMISSION_DENIED',
        status: 403,
        code: `DENIED|${IMG}`,
        message: `denied ${FORGED} ${IMG}`,
        hint: `ask ${FORGED}`,
      },
    }),
  };
}

describe('a log line', () => {
  it('keeps what it says readable, and no line of it is a workflow command', () => {
    const line = logLine(`Harbor ${FORGED} at harbor.example.com`);
    expect(forgedCommands(line)).toEqual([]);
    expect(workflowCommands(line)).toEqual([]);
    expect(line).toContain('FORGED-v2');
    expect(line).toContain('\\x3a:error title=FORGED-title::FORGED-v2');
    expect(line).toContain('##\\x5berror]FORGED-v1');
    expect(line).toContain('x\\x0d::error::FORGED-cr');
    // Already escaped text stays as it is: the escape may be applied twice on a path.
    expect(logLine(line)).toBe(line);
  });

  it('leaves our own multi-line messages as they are', () => {
    const message = 'refused before anything was copied:\n  a/b → x/y\n  c/d → x/y';
    expect(logLine(message)).toBe(message);
  });
});

describe('a JSON line', () => {
  it('parses back to the same value, with no raw control character and no ##[ in it', () => {
    const value = { event: 'tag', source: `a\u0085b\u2028c\u009b${FORGED}` };
    const line = jsonLine(value);
    expect(JSON.parse(line)).toEqual(value);
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(line).not.toContain('##[');
    expect(forgedCommands(line)).toEqual([]);
  });
});

describe('the Actions log (through @actions/core, read as the runner reads it)', () => {
  it('per-tag lines, messages and warnings: no forged command, ours still there', async () => {
    const stdout = await captured(() => {
      const display = actionsDisplay(core, 60_000);
      display.logger.info(`Harbor ${FORGED} at harbor.example.com`);
      display.logger.warn(`listing refused (${FORGED})`);
      display.logger.error(`stopped: ${FORGED}`);
      for (const status of ['migrated', 'failed', 'skipped', 'stale'] as const) {
        const event: SyncEvent = { type: 'done', item: hostileItem(status), queued: true, dryRun: false };
        display.logger.event!(event);
      }
      display.stop();
    });
    expect(forgedCommands(stdout)).toEqual([]);
    const commands = workflowCommands(stdout);
    // What the display means to write is still written: a group, a warning and an error.
    expect(commands.map((c) => c.name)).toEqual(['group', 'warning', 'error', 'endgroup']);
    expect(stdout).toContain('FORGED-v2');
  });

  it('annotations: the message and title quote the hostile text, as data', async () => {
    const result = baseResult({ items: [hostileItem('failed'), hostileItem('stale')] });
    const stdout = await captured(() => {
      for (const a of annotationsFor(result))
        (a.level === 'error' ? core.error : core.warning)(logLine(a.message), {
          title: logLine(a.title),
        });
    });
    expect(forgedCommands(stdout)).toEqual([]);
    const commands = workflowCommands(stdout);
    expect(commands.map((c) => c.name)).toEqual(['error', 'warning']);
    // `%0A` in a server's text stays those three characters: not a line break in the annotation.
    expect(commands[0]!.data).toContain('x%0A::error::FORGED-percent');
  });
});

describe('the terminal and CI log (the CLI)', () => {
  function display(json: boolean) {
    const err: string[] = [];
    const out: string[] = [];
    const d = consoleDisplay({
      err: Object.assign(
        {
          write: (t: string) => {
            err.push(t);
            return true;
          },
        },
        { isTTY: false },
      ) as unknown as NodeJS.WritableStream,
      out: { write: (t: string) => out.push(t) },
      quiet: false,
      json,
      intervalMs: 60_000,
    });
    return { d, err, out };
  }

  it('per-tag lines and messages: no forged command on stderr (a runner reads it too)', () => {
    const { d, err } = display(false);
    d.logger.info(`Harbor ${FORGED}`);
    d.logger.warn(FORGED);
    d.logger.error(FORGED);
    for (const status of ['migrated', 'failed'] as const)
      d.logger.event!({ type: 'done', item: hostileItem(status), queued: true, dryRun: false });
    d.stop();
    const text = err.join('');
    expect(text).toContain('FORGED-v2');
    expect(forgedCommands(text)).toEqual([]);
  });

  it('--json events: each line parses back whole, none is a command', () => {
    const { d, out } = display(true);
    const item = hostileItem('failed');
    d.logger.event!({ type: 'done', item, queued: true, dryRun: false });
    d.stop();
    const lines = out.join('').trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ event: 'tag', ...item });
    expect(forgedCommands(out.join(''))).toEqual([]);
  });
});

const markdown = new MarkdownIt({ html: true, linkify: true });

/** Rendered tables as rows of cells (their inner HTML), header row first. */
function tables(html: string): string[][][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map((t) =>
    [...t[1]!.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...r[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => c[1]!),
    ),
  );
}

describe('Markdown pieces, rendered as GitHub does', () => {
  it('a code span in a table cell keeps its | inside the cell', () => {
    const md = ['| A | B |', '| --- | --- |', `| ${codeCell(`x|${IMG}`)} | end |`].join('\n');
    const html = markdown.render(md);
    expect(html).not.toMatch(/<img/i);
    expect(tables(html)[0]![1]).toEqual([`<code>x|${IMG.replace('<', '&lt;').replace('>', '&gt;')}</code>`, 'end']);
  });

  it('a cell with a lone CR or a newline stays one row', () => {
    const md = ['| A | B |', '| --- | --- |', `| ${markdownCell('a\r| b | c\nd')} | end |`].join('\n');
    const rows = tables(markdown.render(md))[0]!;
    expect(rows).toHaveLength(2);
    expect(rows[1]![1]).toBe('end');
  });

  it('a fence no line can close, and code spans of any backticks and line breaks', () => {
    const lines = fence(['a', '```', '````', `\`\`\`\n${IMG}`]);
    expect(lines[0]).toBe('`````text');
    const html = markdown.render(lines.join('\n'));
    expect(html).not.toMatch(/<img/i);
    expect(html.match(/<pre>/g)).toHaveLength(1);
    expect(markdown.renderInline(codeSpan('a\rb``c'))).toBe('<code>a b``c</code>');
  });
});

describe('the job summary, rendered as GitHub does', () => {
  function hostileResult(): SyncResult {
    return baseResult({
      harborVersion: `${FORGED} ${IMG}`,
      missingShards: [`2/2\n${IMG}`],
      interrupted: true,
      notStarted: ['team/b:1', '```', `team/c:1\n\`\`\`\n${IMG}`],
      items: [
        { ...hostileItem('migrated'), size: 1500 },
        { source: 'team/ok:1', target: 'team/ok:1', status: 'migrated', digest: digest(1), size: 2500 },
        hostileItem('failed'),
        hostileItem('incomplete'),
        hostileItem('skipped'),
        { ...hostileItem('skipped'), source: `team/z:1\r| injected | row |`, target: `team/z:1\r| x |` },
      ],
      retained: [{ kind: 'tag', source: `r:1${IMG}`, target: `r:1|${IMG}`, digest: `sha256:|${IMG}` }],
      harborNotes: [{ project: 'team', kind: 'retention', message: `keep ${IMG} | \n# heading` }],
    });
  }

  it('no HTML element from outside, every table row whole, every fence closed where it should be', () => {
    const md = renderSummary(hostileResult());
    const page = summaryPage(md);
    expect(page).not.toMatch(/<img/i);
    expect(page).not.toMatch(/<h1/i);
    const [byRepo, ...rest] = tables(page);
    expect(byRepo).toBeDefined();
    // The migrated table: the header, the hostile tag and the plain one, each row its three cells
    // with the size last (a split row would push the size out and an <img> in).
    const migrated = rest.find((t) => t[0]!.includes('Size'))!;
    expect(migrated).toHaveLength(3);
    expect(migrated.map((r) => r.at(-1))).toEqual(['Size', '1.5\u00a0kB', '2.5\u00a0kB']);
    expect(migrated[1]![1]).toBe('<code>sha256:|&lt;img src=//</code>');
    // The one-column tables (the failed tag's cause, the two skipped tags): a row per tag, the CR
    // in a name did not end one.
    const single = rest.filter((t) => t[0]!.length === 1);
    expect(single.flatMap((t) => t.slice(1))).toHaveLength(3);
    // Not started: one code block holding all three, the backticks inside it.
    const blocks = [...page.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/g)].map((m) => m[1]!);
    const notStarted = blocks.find((b) => b.includes('team/b:1'))!;
    expect(notStarted.split('\n').filter(Boolean)).toEqual([
      '```',
      'team/b:1',
      'team/c:1 ``` &lt;img src=//evil.example/x.png&gt;',
    ]);
    expect(blocks.some((b) => b.includes('sha256: ``` &lt;img'))).toBe(true);
  });

  it('report-merge: shard files holding hostile values print nothing a runner acts on, and a summary that renders as text', async () => {
    // One line each, as the report's reader accepts names: a fence, HTML, both command forms.
    const forgeries = [
      '```',
      IMG,
      'x ##[error]FORGED-v1',
      '  ::error title=FORGED-title::FORGED-v2',
      '::stop-commands::FORGED-x',
    ];
    const shard = (i: number) =>
      buildReport(
        baseResult({
          shard: `${i}/2`,
          harborVersion: `v2 ${IMG} ##[warning]FORGED-v1b`,
          interrupted: true,
          notStarted: [`team/b${i}:1`, ...forgeries],
          items: [
            {
              source: `team/a${i}:1`,
              target: `team/a${i}:1`,
              status: 'migrated',
              digest: `sha256:|${IMG}`,
              size: 1500,
            },
            { source: `team/i${i}:1`, target: `team/i${i}:1`, status: 'incomplete', missing: forgeries, reason: IMG },
            {
              source: `team/s${i}:1|${IMG}`,
              target: `team/s${i}:1`,
              status: 'skipped',
              reason: `${IMG} | ##[error]FORGED-v1c`,
            },
          ],
        }),
        '1.0.0',
      );
    const dir = await mkdtemp(join(tmpdir(), 'hs-escaping-'));
    const files = [join(dir, 'a.json'), join(dir, 'b.json')];
    await writeFile(files[0]!, JSON.stringify(shard(1)));
    await writeFile(files[1]!, JSON.stringify(shard(2)));
    const summaryFile = join(dir, 'merged.md');
    let code: number | undefined;
    const output = await captured(async () => {
      code = await reportMerge(files, { allowPartial: false, summaryFile, failOn: 'never' });
    });
    // Interrupted shards: the merge says so in its exit code, the one thing failOn cannot waive.
    expect(code).toBe(EXIT.interrupted);
    expect(output).toContain('FORGED-v2');
    expect(forgedCommands(output)).toEqual([]);
    const page = summaryPage(await readFile(summaryFile, 'utf8'));
    expect(page).not.toMatch(/<img/i);
    const blocks = [...page.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/g)].map((m) => m[1]!);
    // Not started: one block, all twelve lines in it (the fence line among them).
    expect(
      blocks
        .find((b) => b.includes('team/b1:1'))!
        .split('\n')
        .filter(Boolean),
    ).toHaveLength(12);
    const migrated = tables(page).find((t) => t[0]!.includes('Size'))!;
    expect(migrated.slice(1).map((r) => r.at(-1))).toEqual(['1.5\u00a0kB', '1.5\u00a0kB']);
  });
});
