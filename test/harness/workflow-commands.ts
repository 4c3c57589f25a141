// The workflow commands a GitHub runner finds in a step's output, found the way the runner finds
// them (actions/runner: ActionCommandManager.TryProcessCommand reads each line, tries
// ActionCommand.TryParseV2, then the older TryParse): a line that, after leading whitespace,
// starts with `::name props::data`; failing that, a line holding `##[name props]data` anywhere.
// The runner reads stdout and stderr alike, and splits lines at CR, LF and CRLF. Any name counts
// here (the runner's own list has set-output, add-mask, stop-commands, error, warning, …).

export interface WorkflowCommand {
  form: 'v2' | 'v1';
  name: string;
  properties: Record<string, string>;
  data: string;
  line: string;
}

const unescapeData = (s: string): string => s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
const unescapeProperty = (s: string): string =>
  s.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%3A/gi, ':').replace(/%2C/gi, ',').replace(/%25/g, '%');
const unescapeV1 = (s: string): string =>
  s.replace(/%3B/gi, ';').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%5D/gi, ']').replace(/%25/g, '%');

export function workflowCommands(output: string): WorkflowCommand[] {
  return output.split(/\r\n|\r|\n/).flatMap((line) => {
    const v2 = parseV2(line);
    if (v2) return [v2];
    const v1 = parseV1(line);
    return v1 ? [v1] : [];
  });
}

function parseV2(line: string): WorkflowCommand | undefined {
  const message = line.trimStart();
  if (!message.startsWith('::')) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!name) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0)
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1));
    }
  return { form: 'v2', name, properties, data: unescapeData(message.slice(end + 2)), line };
}

function parseV1(line: string): WorkflowCommand | undefined {
  const prefix = line.indexOf('##[');
  if (prefix < 0) return undefined;
  const close = line.indexOf(']', prefix);
  if (close < 0) return undefined;
  const info = line.slice(prefix + 3, close);
  const space = info.indexOf(' ');
  const name = space < 0 ? info : info.slice(0, space);
  if (!name) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0)
    for (const pair of info
      .slice(space + 1)
      .split(';')
      .filter(Boolean)) {
      const at = pair.indexOf('=');
      if (at > 0) properties[pair.slice(0, at)] = unescapeV1(pair.slice(at + 1));
    }
  return { form: 'v1', name, properties, data: unescapeV1(line.slice(close + 1)), line };
}

/** Hostile text as a registry or Harbor might send it, each piece marked FORGED: a newline and a
 * command, an indented one, the older `##[…]` form mid-line, a CR (a line end to the runner), a
 * percent-encoded newline, a stop-commands that would silence the rest of the step. */
export const FORGED = [
  'v1.0\n::error title=FORGED-title::FORGED-v2',
  'x\n   ::warning::FORGED-indented',
  'x \u00a0##[error]FORGED-v1 mid-line',
  'x\r::error::FORGED-cr',
  'x%0A::error::FORGED-percent',
  'x\n::stop-commands::FORGED-stop',
  'x\n::add-mask::FORGED-mask',
].join(' ');

/** The commands hostile text made: any in the older form, any whose name, property or the start of
 * whose data is FORGED's. What harbor-sync writes itself may quote FORGED inside its own data. */
export function forgedCommands(output: string): WorkflowCommand[] {
  return workflowCommands(output).filter(
    (c) =>
      c.form === 'v1' ||
      c.name === 'stop-commands' ||
      Object.values(c.properties).some((v) => v.includes('FORGED')) ||
      c.data.startsWith('FORGED'),
  );
}
