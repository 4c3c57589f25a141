// Harbor answers that users meet, what they mean and what to do about each (docs/harbor.md §2,
// §5, §6, §10). Some are Harbor's own settings refusing the write (immutability, read-only mode,
// a quota, a proxy-cache project): those get a code of their own, so reports group them and say
// what to change in Harbor.
import type { ErrorCode } from '../errors/codes.js';
import type { RegistryError } from '../errors/registry.js';

export interface HintContext {
  project: string;
  /** Whether this run created the project (robots may create projects they cannot push to). */
  projectCreatedThisRun: boolean;
  username?: string;
  /** How to say "set this option": `create-projects: true`, or `--create-projects`. */
  setting?: (input: string, value: string) => string;
}

export interface HarborExplanation {
  hint: string;
  /** Set when the answer names a cause more precisely than its status does. */
  code?: ErrorCode;
  /** Harbor refuses by a setting of its own, not because the request was wrong. */
  policy?: boolean;
}

export function explainHarborAnswer(error: RegistryError, context: HintContext): HarborExplanation | undefined {
  const text = error.errors
    .map((e) => e.message)
    .join(' ')
    .toLowerCase();
  const who = context.username ? `"${context.username}"` : 'these credentials';
  if (error.status === 412 && error.registryCode === 'PRECONDITION') {
    return {
      code: 'IMMUTABLE_TAG',
      policy: true,
      hint: `the tag matches an immutability rule of project ${context.project}: Harbor refuses to re-point it. Remove or narrow the rule (Project → Policy → Tag Immutability), or push under a new tag`,
    };
  }
  if (error.status === 403 && text.includes('read only')) {
    return {
      code: 'READ_ONLY',
      policy: true,
      hint: 'Harbor is in read-only mode (Administration → Configuration → System Settings → Repository Read Only); re-run when it is writable',
    };
  }
  if (error.status === 403 && text.includes('exceed')) {
    return {
      code: 'QUOTA_EXCEEDED',
      policy: true,
      hint: `project ${context.project} would exceed its storage quota: raise it (Project → Summary → Quota) or free space, then re-run`,
    };
  }
  if (error.status === 403 && text.includes('csrf')) {
    return {
      hint: 'Harbor saw a session cookie and applied its CSRF check: something between us and Harbor keeps cookies; harbor-sync itself sends none',
    };
  }
  if (error.status === 403 && text.includes('proxy project')) {
    return {
      code: 'PROXY_PROJECT',
      policy: true,
      hint: `project ${context.project} is a proxy-cache project, which cannot be pushed to: map the images to a regular project`,
    };
  }
  if (error.status === 401 && text.includes('not found')) {
    const setting = context.setting?.('create-projects', 'true') ?? 'create-projects: true';
    return {
      code: 'PROJECT_MISSING',
      hint: `project ${context.project} does not exist in Harbor: create it, or set ${setting}`,
    };
  }
  if (error.status === 401 && context.projectCreatedThisRun) {
    return {
      code: 'PERMISSION_DENIED',
      hint: `project ${context.project} was created, but ${who} cannot push to it (Harbor #15461): give the robot account push permission on ${context.project}, or use an account that is a member`,
    };
  }
  if (error.status === 401 || error.status === 403) {
    return {
      code: 'PERMISSION_DENIED',
      hint: `${who} may not push to project ${context.project}: make the account a Developer (or higher) member of the project, or give the robot account push permission`,
    };
  }
  return undefined;
}

export function harborHint(error: RegistryError, context: HintContext): string | undefined {
  return explainHarborAnswer(error, context)?.hint;
}
