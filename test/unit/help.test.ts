// Each command has its own help, listing only what it takes; a flag that is on by default is shown
// as the way to turn it off, with words that say what turning it off does.
import { describe, it, expect } from 'vitest';
import { INPUTS, isBooleanInput } from '../../src/config/input-list.ts';
import { COMMANDS, misplacedOption, takes } from '../../src/cli/commands.ts';
import { helpText, OFF_DESCRIPTIONS } from '../../src/cli/help.ts';

/** The options a help text lists: the first word of each option row. */
function optionsIn(help: string): string[] {
  return [...help.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]!.replace(/^--no-/, '--'));
}

describe('help per command', () => {
  it('sync, plan and report-merge each print their own help', () => {
    const texts = COMMANDS.map((c) => helpText(c));
    expect(new Set(texts).size).toBe(3);
    expect(helpText('sync')).toMatch(/^Usage: harbor-sync sync /);
    expect(helpText('plan')).toMatch(/^Usage: harbor-sync plan /);
    expect(helpText('report-merge')).toMatch(/^Usage: harbor-sync report-merge /);
  });

  it("report-merge's help lists only its own options", () => {
    expect(optionsIn(helpText('report-merge')).sort()).toEqual(
      [
        '--allow-partial',
        '--fail-on',
        '--help',
        '--report-file',
        '--summary-file',
        '--junit-file',
        '--html-file',
        '--metrics-file',
      ].sort(),
    );
    for (const option of optionsIn(helpText('report-merge'))) expect(takes('report-merge', option.slice(2))).toBe(true);
  });

  it("sync's help lists every input and its own flags, and no option of report-merge", () => {
    const listed = optionsIn(helpText('sync'));
    for (const input of INPUTS) expect(listed).toContain(`--${input.name}`);
    expect(listed).toContain('--json');
    expect(listed).not.toContain('--allow-partial');
    // plan is always a dry run: no --dry-run row.
    expect(optionsIn(helpText('plan'))).not.toContain('--dry-run');
  });

  it('the overview names the commands and where their options are', () => {
    const overview = helpText();
    for (const command of COMMANDS) expect(overview).toMatch(new RegExp(`^ {2}${command} `, 'm'));
    expect(overview).toContain('harbor-sync <command> --help lists the options of a command.');
  });
});

describe('flags on by default', () => {
  it('--no-create-projects and --no-include-signatures say what turning them off does', () => {
    const help = helpText('sync');
    expect(help).toMatch(/\n {2}--no-create-projects +Do not create missing Harbor projects/);
    expect(help).toMatch(/\n {2}--no-include-signatures +Leave cosign signatures\/attestations\/SBOMs/);
    expect(help).not.toMatch(/--no-create-projects +Create missing/);
    expect(help).not.toMatch(/--no-include-signatures +Copy cosign/);
  });

  it('every input on by default has words for turning it off', () => {
    const onByDefault = INPUTS.filter((i) => isBooleanInput(i) && i.default === 'true').map((i) => i.name);
    expect(Object.keys(OFF_DESCRIPTIONS).sort()).toEqual(onByDefault.sort());
  });
});

describe('an option of another command', () => {
  it('is named with the commands it belongs to', () => {
    expect(misplacedOption('report-merge', ['report-file', 'images'])).toBe(
      '--images is an option of sync and plan, not report-merge',
    );
    expect(misplacedOption('sync', ['allow-partial'])).toBe('--allow-partial is an option of report-merge, not sync');
    expect(misplacedOption('report-merge', ['json'])).toBe('--json is an option of sync and plan, not report-merge');
    expect(misplacedOption('plan', ['images', 'dry-run', 'json', 'help'])).toBeUndefined();
  });
});
