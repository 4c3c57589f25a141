// Where a source repository lands in Harbor. Harbor needs `project/repository`: the first path
// component is the project (docs/harbor.md §2.4), and project names follow a stricter rule than
// distribution's path components (docs/harbor.md §3).
import { ConfigError } from '../errors/base.js';

const PROJECT_NAME_RULE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const PROJECT_NAME_MAX = 255;

export interface HarborTarget {
  project: string;
  /** Repository path inside the project, e.g. `tools/worker`. */
  path: string;
  /** Full repository name as the /v2 API uses it: `project/path`. */
  repository: string;
}

/** A repository Harbor cannot take under the name it maps to: refused before anything is copied. */
export class NameMappingError extends ConfigError {
  override readonly name = 'NameMappingError';
  constructor(message: string) {
    super(message, { code: 'NAME_INVALID' });
  }
}

/** `team-a/tools/worker` → project team-a, path tools/worker; `alpine` → defaultProject/alpine. */
export function mapRepository(sourceRepository: string, defaultProject: string): HarborTarget {
  const slash = sourceRepository.indexOf('/');
  const project = slash < 0 ? defaultProject : sourceRepository.slice(0, slash);
  const path = slash < 0 ? sourceRepository : sourceRepository.slice(slash + 1);
  const problem = projectNameProblem(project);
  if (problem) {
    const origin =
      slash < 0
        ? `default-project "${project}" (used for the single-level name "${sourceRepository}")`
        : `"${project}" (from "${sourceRepository}")`;
    throw new NameMappingError(`Harbor project name ${origin} ${problem}`);
  }
  return { project, path, repository: `${project}/${path}` };
}

/** Why a project name is not acceptable to Harbor, or undefined when it is. */
export function projectNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > PROJECT_NAME_MAX) return `is longer than ${PROJECT_NAME_MAX} characters`;
  if (!PROJECT_NAME_RULE.test(name)) {
    return 'breaks Harbor\'s rule ^[a-z0-9]+(?:[._-][a-z0-9]+)*$: lowercase letters and digits, with single ".", "_" or "-" between them';
  }
  return undefined;
}
