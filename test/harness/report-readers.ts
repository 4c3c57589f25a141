// The reports read back by the tools their readers use: xmllint against the JUnit schema Jenkins
// documents (Debian's libxml2-utils), promtool for the metrics (Debian's prometheus). .ci/run
// installs both; a missing one is an error, never a skipped check.
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const JUNIT_XSD = fileURLToPath(new URL('./fixtures/jenkins-junit.xsd', import.meta.url));

function run(tool: string, args: string[], input: string | undefined, install: string): { ok: boolean; said: string } {
  const r = spawnSync(tool, args, { encoding: 'utf8', ...(input !== undefined && { input }) });
  if (r.error) throw new Error(`${tool}: ${r.error.message} (install ${install}; .ci/run does)`);
  return { ok: r.status === 0, said: `${r.stdout}${r.stderr}` };
}

/** xmllint's verdict on `file` against Jenkins' JUnit schema, and what it said. */
export function validateJunit(file: string): { ok: boolean; said: string } {
  return run('xmllint', ['--noout', '--schema', JUNIT_XSD, file], undefined, "Debian's libxml2-utils");
}

/** An XPath expression's value in `file`, as xmllint computes it. */
export function xpath(file: string, expression: string): string {
  return execFileSync('xmllint', ['--xpath', expression, file], { encoding: 'utf8' });
}

/** An XPath number (a count, an attribute), as xmllint computes it. */
export function xpathNumber(file: string, expression: string): number {
  return Number(xpath(file, expression).trim());
}

/** `promtool …args`, with `input` on its stdin. */
export function promtool(args: string[], input?: string): { ok: boolean; said: string } {
  return run('promtool', args, input, "Debian's prometheus package");
}
