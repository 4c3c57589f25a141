import { describe, it, expect } from 'vitest';
import { harborHint } from '../../src/harbor/hints.js';
import { RegistryError } from '../../src/errors/registry.js';

const error = (status: number, code: string, message: string) =>
  new RegistryError({ message, status, errors: [{ code, message }], request: 'PUT /v2/p/r/manifests/1' });
const ctx = { project: 'p', projectCreatedThisRun: false, username: 'robot$ci' };

describe('Harbor answers get a hint (docs/harbor.md §6, §5, §10)', () => {
  it.each([
    [
      error(412, 'PRECONDITION', "Failed to process request due to 'r:1' configured as immutable."),
      /immutability rule of project p/,
    ],
    [
      error(
        403,
        'DENIED',
        'adding 1.2 MiB of storage resource, which when updated to current usage of 9.9 MiB will exceed the configured upper limit of 10.0 MiB.',
      ),
      /exceed its storage quota/,
    ],
    [error(403, 'DENIED', 'The system is in read only mode. Any modification is prohibited.'), /read-only mode/],
    [error(403, 'FORBIDDEN', 'CSRF token invalid'), /CSRF check/],
    [error(403, 'DENIED', 'can not push artifact to a proxy project: p'), /proxy-cache project/],
    [error(401, 'UNAUTHORIZED', 'project p not found: project p not found'), /does not exist in Harbor/],
    [
      error(401, 'UNAUTHORIZED', 'unauthorized to access repository: p/r, action: push'),
      /"robot\$ci" may not push to project p/,
    ],
  ])('%s', (e, hint) => {
    expect(harborHint(e, ctx)).toMatch(hint);
  });

  it('tells a robot that created the project it cannot push to it (#15461)', () => {
    expect(harborHint(error(401, 'UNAUTHORIZED', 'unauthorized'), { ...ctx, projectCreatedThisRun: true })).toContain(
      'was created, but "robot$ci" cannot push to it',
    );
  });
});
