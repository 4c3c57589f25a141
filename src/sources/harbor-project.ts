// harbor://PROJECT: a project of the Harbor at harbor-url, read through Harbor's API and by digest
// (src/harbor/project-source.ts), so a proxy-cache project gives up what it holds without asking
// its upstream (docs/harbor.md §7.1). Any project works: a proxy cache to keep what it cached, or a
// regular project to copy into another. Its repositories are named as Harbor names them
// (`hub-proxy/library/nginx`), and since source and target are one Harbor, a run must map them out
// of the project: `hub-proxy => hub-kept`. Harbor's credentials read it unless source-username and
// source-password name another account; the same goes for the TLS options.
import { ConfigError } from '../errors/base.js';
import { createHarborApi } from '../harbor/api.js';
import { projectNameProblem } from '../harbor/targets.js';
import { createHarborProjectSource } from '../harbor/project-source.js';
import { trimSlash, underPrefix, type MappingRule } from '../model/mapping-rule.js';
import { createRegistryClient } from '../registry/distribution-client.js';
import { SourceUrlError, schemeOf, type SourceKind } from './kind.js';

const HARBOR_URL = /^\s*harbor:\/\/([^/?#]*)\/?\s*$/i;

/** The project a harbor:// URL names; throws SourceUrlError. */
function projectOf(url: string): string {
  if (/^\s*harbor:\/\/[^/?#]*@/i.test(url))
    throw new SourceUrlError(
      'must not carry a user name or password in the URL: use source-username and source-password (or none: harbor-username reads it)',
    );
  const project = HARBOR_URL.exec(url)?.[1];
  if (project === undefined)
    throw new SourceUrlError(
      'write harbor://PROJECT, a project of the Harbor at harbor-url alone (repositories go in images, or use catalog)',
    );
  const problem = projectNameProblem(project);
  if (problem) throw new SourceUrlError(`Harbor project name in harbor://PROJECT ${problem}`);
  return project;
}

/** The project a repository of the source lands in: the first rule matching it decides, else its
 * own (a repository `p/x/y` no rule matches keeps its name; src/sync/mapping.ts). */
function targetProject(repository: string, rules: MappingRule[]): string {
  const rule = rules.find((r) => underPrefix(repository, trimSlash(r.from)));
  return (rule ? trimSlash(rule.to) : repository).split('/')[0]!;
}

export const harborProject: SourceKind = {
  name: 'Harbor project',
  schemes: ['harbor'],
  written: 'harbor:// for a project of the Harbor at harbor-url',
  forms: 'harbor://PROJECT',
  traits: {
    untaggedManifests: false,
    localReads: false,
    // Harbor's own credentials (harbor-username, or docker login for harbor-url) read it.
    dockerCredentials: false,
    sourceCredentials: 'harbor',
    workDir: false,
  },
  claims: (url) => schemeOf(url) === 'harbor',
  check: (url) => `harbor://${projectOf(url)}`,
  harborProject: projectOf,
  checkRun(url, run, naming) {
    const project = projectOf(url);
    const source = `${naming.name('source-registry')} harbor://${project}`;
    const fix = `add a mapping such as "${project} => ${project}-kept" to ${naming.name('mappings')}`;
    for (const image of run.images) {
      if (!image.repository.startsWith(`${project}/`))
        throw new ConfigError(
          `${image.origin}: ${image.repository} is not in Harbor project ${project} (${source}): name it as Harbor does, ${project}/…`,
        );
      if (targetProject(image.repository, run.mappings) === project)
        throw new ConfigError(
          `${image.origin}: ${image.repository} would be copied onto itself in Harbor project ${project} (${source}): ${fix}`,
        );
    }
    if (!run.catalog) return;
    // The catalog lists every repository of the project: each needs a rule out of it.
    const into = run.mappings.find(
      (r) => underPrefix(trimSlash(r.from), project) && trimSlash(r.to).split('/')[0] === project,
    );
    const whole = run.mappings.find((r) => trimSlash(r.from) === project);
    if (into || !whole)
      throw new ConfigError(
        `${naming.setting('catalog', 'true')} with ${source}: ${into ? `mapping "${into.from} => ${into.to}" keeps repositories in project ${project}, so they would be copied onto themselves` : `no mapping takes every repository of project ${project} out of it, so some would be copied onto themselves`}: ${fix}`,
      );
  },
  open({ source, harbor, connection, naming, logger }) {
    const project = projectOf(source.url);
    const credentials = source.credentials ?? harbor.credentials;
    const tls = source.tls ?? harbor.tls;
    const endpoint = {
      url: harbor.url,
      ...(credentials && { credentials }),
      ...(tls && { tls }),
    };
    const inputs = source.credentials ? 'source' : 'harbor';
    return createHarborProjectSource({
      project,
      registry: createRegistryClient({ ...connection, ...endpoint }),
      api: createHarborApi({ ...connection, ...endpoint, connections: 4 }),
      ...(credentials && { username: credentials.username }),
      harborsAccount: !source.credentials,
      credentialInputs: `${naming.name(`${inputs}-username`)} and ${naming.name(`${inputs}-password`)}`,
      sourceInput: naming.name('source-registry'),
      harborInput: naming.name('harbor-url'),
      ...(logger && { log: (message: string) => logger.info(message) }),
    });
  },
};
