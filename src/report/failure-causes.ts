// Failures grouped by cause: the same step, status, codes and message once the names, tags,
// projects and digests it quotes are taken out. 40 tags missing at the source are one cause with
// a count of 40, said once with what to do, their tags folded below it.
import { ERROR_CODES, type ErrorCode, type Step } from '../errors/codes.js';
import { type ClassRow, classLabel } from '../model/class-rules.js';
import type { TagResult } from '../model/result.js';
import { type Block, code, type Inline, heading, joined, paragraph, strong, table } from './doc.js';
import { type Context, foldedList } from './fold.js';
import { nameCell, nameHeader } from './name-cells.js';
import { byText } from './order.js';
import { num, plural } from './words.js';

/** What to do when the failure carries no hint of its own. Every code has one. */
export const ADVICE: Record<ErrorCode, string> = {
  CONFIG_INVALID: 'fix the input the message names, then run again',
  NAME_COLLISION: 'change mappings so that each source repository has a Harbor repository of its own',
  NAME_INVALID: 'rename it at the source, or map it to a name Harbor accepts (mappings)',
  CREDENTIALS_REJECTED: 'check the user and password (or robot secret) given for that registry',
  CREDENTIALS_REQUIRED: 'give source-username and source-password, or a Docker config.json (docker-config)',
  PERMISSION_DENIED:
    'give the account what the message names: pull on the source; push (or creating projects) in Harbor',
  AUTH_FOREIGN_ORIGIN: 'point the URL at the origin that serves the registry API, not at one that redirects elsewhere',
  REALM_INSECURE: "serve the registry's token service over https",
  REALM_REFUSED: "check the registry's token configuration (the realm it names)",
  UNREACHABLE: 'check the URL, DNS and firewall as seen from the runner, then run again',
  TLS_FAILED: 'trust the certificate (…-ca-file), or check that the URL says http:// or https:// as the server speaks',
  NOT_A_REGISTRY: "point source-registry at the registry's base URL, the one that serves /v2/",
  NOT_HARBOR: "point harbor-url at Harbor's base URL",
  HTTP_ERROR: 'read the message; a server error that the retries did not cure often passes: run again later',
  NOT_FOUND: 'check the name at the source; a tag deleted since it was listed is gone from the next run',
  LIST_INCOMPLETE: 'run again; if it keeps failing, the registry cannot page through that list',
  MANIFEST_INVALID: 'push the image to the source again with a current client',
  MANIFEST_TOO_LARGE: 'push the image to the source again with a current client',
  MANIFEST_GRAPH_TOO_LARGE:
    'check what the source serves for this tag (real images nest an index one or two levels deep); push the image to the source again with a current client',
  DIGEST_MISMATCH: "the source's copy of this content is damaged: push the image to the source again",
  SIZE_MISMATCH: "the source's copy of this content is damaged: push the image to the source again",
  VERIFY_MISMATCH: 'make sure nothing else pushes to the same Harbor repository during the sync, then run again',
  BROKEN_UNREPAIRABLE:
    'push the image into Harbor again from another copy that still has it (a client that pulled it, a backup), or accept that the tag is lost and delete it in Harbor yourself: harbor-sync never deletes anything',
  PROJECT_MISSING: 'create the project in Harbor, or set create-projects: true',
  PROXY_PROJECT: 'map these images to a regular project (mappings, or default-project for single-level names)',
  IMMUTABLE_TAG:
    'in Harbor, remove or narrow the immutability rule (Project → Policy → Tag Immutability), or push under a new tag',
  READ_ONLY:
    'in Harbor, turn read-only mode off (Administration → Configuration → System Settings → Repository Read Only), then run again',
  QUOTA_EXCEEDED: "in Harbor, raise the project's quota (Project → Summary → Quota) or free space, then run again",
  STORAGE_MISSING: 'point source-registry at the directory that holds docker/registry/v2',
  STORAGE_UNSAFE: 'replace the file named with the regular file the registry wrote',
  STORAGE_CORRUPT: 'restore the file named from a backup, or push the image to the source again',
  ARCHIVE_UNSAFE: "make the tarball again from the registry's storage directory, without links",
  ARCHIVE_UNREADABLE: 'check that the tarball is whole (tar -tf), or give the storage directory instead',
  ARCHIVE_NO_SPACE: 'decompress the tarball once (gunzip -k) and name the .tar, or set work-dir to a disk with room',
  DOWNLOAD_FAILED: 'check the URL and its credentials, then run again',
  INTERRUPTED: 'run the same sync again: it completes the rest',
  INTERNAL: 'a bug in harbor-sync: please report it, with the JSON report',
};

/** A placeholder inside a message template: private-use characters no registry sends. */
const MARK = '\ue000';
const placeholder = (name: string) => `${MARK}${name}${MARK}`;

export interface Cause {
  errorCode?: ErrorCode;
  step?: Step;
  status?: number;
  /** The registry's or Harbor's own code. */
  code?: string;
  /** The message as shown: the tags' own when they all say the same, else a template. */
  message: string;
  hint?: string;
  items: TagResult[];
  /** Harbor projects of the tags. */
  projects: string[];
}

/** Failures grouped by cause, the largest first. `maxMessage` cuts long messages. */
export function groupFailures(items: readonly TagResult[], maxMessage: number): Cause[] {
  const groups = new Map<string, { items: TagResult[]; messages: Set<string>; hints: Set<string>; key: string[] }>();
  for (const item of items) {
    const e = item.error;
    const message = cut(e?.message ?? '', maxMessage);
    const hint = cut(e?.hint ?? '', maxMessage);
    const template = [generalise(message, item), generalise(hint, item)];
    const key = [e?.errorCode ?? '', e?.step ?? '', String(e?.status ?? ''), e?.code ?? '', ...template].join('\n');
    const group = groups.get(key) ?? { items: [], messages: new Set(), hints: new Set(), key: template };
    group.items.push(item);
    group.messages.add(message);
    group.hints.add(hint);
    groups.set(key, group);
  }
  const causes = [...groups.values()].map((g): Cause => {
    const e = g.items[0]!.error;
    // All the same words: show them as they are; otherwise the template with its placeholders.
    const message = g.messages.size === 1 ? [...g.messages][0]! : g.key[0]!;
    const hint = g.hints.size === 1 ? [...g.hints][0]! : g.key[1]!;
    return {
      ...(e?.errorCode && { errorCode: e.errorCode }),
      ...(e?.step && { step: e.step }),
      ...(e?.status !== undefined && { status: e.status }),
      ...(e?.code && { code: e.code }),
      message,
      ...(hint && { hint }),
      items: g.items,
      projects: [...new Set(g.items.map((i) => projectOf(i.target)).filter(Boolean))].sort(),
    };
  });
  return causes.sort((a, b) => b.items.length - a.items.length || byText(a.errorCode ?? '', b.errorCode ?? ''));
}

/** The "Failed" section: one heading per cause, with its count, meaning, message and what to do. */
export function failedSection(
  c: ClassRow,
  items: readonly TagResult[],
  causes: readonly Cause[],
  ctx: Context,
): Block[] {
  if (items.length === 0) return [];
  const blocks = [
    heading(3, `${classLabel(c, ctx.dryRun)}: ${plural(items.length, 'tag')}, ${plural(causes.length, 'cause')}`),
    paragraph(
      'Harbor holds nothing partial of a failed tag. Do what each cause says, then run the same sync again: only what is missing is done.',
    ),
  ];
  const shown = causes.slice(0, ctx.level.causes);
  for (const cause of shown) blocks.push(...causeBlock(cause, ctx));
  if (shown.length < causes.length) {
    const rest = causes.slice(shown.length).reduce((n, c) => n + c.items.length, 0);
    blocks.push(
      paragraph(
        `… and ${plural(causes.length - shown.length, 'more cause')} (${plural(rest, 'tag')}): each failed tag's error is in the JSON report.`,
      ),
    );
  }
  return blocks;
}

/** `NOT_FOUND · step discover · HTTP 404 · MANIFEST_UNKNOWN`: a failure's codes, as far as known. */
export function failureFacts(f: { errorCode?: ErrorCode; step?: Step; status?: number; code?: string }): Inline[] {
  return joined(
    [
      f.errorCode ? [code(f.errorCode)] : [],
      f.step ? ['step ', code(f.step)] : [],
      f.status !== undefined ? [`HTTP ${num(f.status)}`] : [],
      f.code ? [code(f.code)] : [],
    ].filter((fact) => fact.length > 0),
    ' · ',
  );
}

/** What to do about a failure: its own hint, or what its code calls for. */
export function whatToDo(f: { errorCode?: ErrorCode; hint?: string }): string {
  return f.hint || (f.errorCode ? ADVICE[f.errorCode] : '');
}

function causeBlock(cause: Cause, ctx: Context): Block[] {
  const meaning = cause.errorCode ? ERROR_CODES[cause.errorCode] : 'failed';
  const todo = whatToDo(cause);
  const projects: Inline[] = cause.projects.length
    ? [
        `${cause.projects.length === 1 ? 'Project' : 'Projects'}: `,
        ...joined(
          cause.projects.slice(0, 10).map((p) => [code(p)]),
          ', ',
        ),
        ...(cause.projects.length > 10 ? [`, and ${num(cause.projects.length - 10)} more`] : []),
      ]
    : [];
  const blocks = [heading(4, `${plural(cause.items.length, 'tag')}: `, meaning), paragraph(...failureFacts(cause))];
  if (cause.message) blocks.push(paragraph('Message: ', ...template(cause.message)));
  if (todo) blocks.push(paragraph(strong('What to do:'), ' ', ...template(todo)));
  if (projects.length) blocks.push(paragraph(...projects));
  const retries = cause.items.some((i) => i.retries);
  blocks.push(
    ...foldedList(
      cause.items,
      ctx.level.act,
      ['tag', 'tags'],
      (shown) => [
        table(
          [{ header: nameHeader(cause.items) }, ...(retries ? [{ header: 'Retries', align: 'right' as const }] : [])],
          shown.map((i) => [nameCell(i), ...(retries ? [[num(i.retries ?? 0)]] : [])]),
        ),
      ],
      ctx,
    ),
  );
  return blocks;
}

/** A template's words, its placeholders as code spans (`<repo>`), so none is taken for markup. */
function template(value: string): Inline[] {
  return value
    .split(MARK)
    .map((part, i) => (i % 2 === 1 ? code(`<${part}>`) : part))
    .filter((part) => part !== '');
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** `team-a/app:1.2` → `team-a/app`. */
export function repositoryOf(reference: string): string {
  return reference.replace(/[:@][^/]*$/, '');
}

function projectOf(target: string): string {
  return target.includes('/') ? target.split('/')[0]! : '';
}

/** The message with what differs from tag to tag (names, tags, projects, digests, upload ids)
 * replaced by placeholders, so the same cause reads the same for every tag. */
function generalise(message: string, item: TagResult): string {
  if (!message) return '';
  const names: [string, string][] = [];
  for (const [reference, kind] of [
    [item.target, 'image'],
    [item.source, 'image'],
  ] as const) {
    if (!reference) continue;
    const repository = repositoryOf(reference);
    names.push([reference, kind], [repository, 'repo']);
    const tag = reference.slice(repository.length + 1);
    // A bare tag only where it cannot be mistaken for a number in the text (a tag "1" is not).
    if (reference[repository.length] === ':' && /[A-Za-z]|\.|^.{4,}$/.test(tag)) names.push([tag, 'tag']);
  }
  const project = projectOf(item.target);
  if (project) {
    names.push([project, 'project']);
    const inProject = repositoryOf(item.target).slice(project.length + 1);
    if (inProject.length > 2) names.push([inProject, 'repo']);
  }
  // Longest first: a reference before its repository, a repository before its project.
  let result = message
    .replace(/\b[a-z0-9]+:[0-9a-f]{32,}\b/g, placeholder('digest'))
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, placeholder('id'))
    .replace(/\b[0-9a-f]{32,}\b/g, placeholder('id'));
  for (const [name, kind] of names.sort((a, b) => b[0].length - a[0].length))
    result = replaceWhole(result, name, placeholder(kind));
  return result;
}

const NAME_CHAR = /[A-Za-z0-9._\-\ue000]/;

/** Every whole occurrence of a name: not part of a longer name (a full stop after one may end a
 * sentence). indexOf, not a regex per name: 5,000 failures are 5,000 sets of names. */
function replaceWhole(haystack: string, name: string, by: string): string {
  // An empty name (`repositoryOf(":x:*")`) is found everywhere and would never advance.
  if (!name) return haystack;
  let out = '';
  let from = 0;
  for (let at = haystack.indexOf(name); at >= 0; at = haystack.indexOf(name, at + 1)) {
    if (at < from) continue;
    const before = haystack[at - 1] ?? '';
    const after = haystack[at + name.length] ?? '';
    const next = haystack[at + name.length + 1] ?? '';
    const endsName = after !== '.' ? !NAME_CHAR.test(after) : !/[A-Za-z0-9]/.test(next);
    if ((before && NAME_CHAR.test(before)) || (after && !endsName)) continue;
    out += haystack.slice(from, at) + by;
    from = at + name.length;
  }
  return out + haystack.slice(from);
}
