// Harbor answers that users meet and what to do about each (BEHAVIOR §2, §5, §6, §10).
import type { RegistryError } from '../registry/errors.js';

export interface HintContext {
  project: string;
  /** Whether this run created the project (robots may create projects they cannot push to). */
  projectCreatedThisRun: boolean;
  username?: string;
}

export function harborHint(error: RegistryError, context: HintContext): string | undefined {
  const text = error.errors.map((e) => e.message).join(' ').toLowerCase();
  const who = context.username ? `"${context.username}"` : 'these credentials';
  if (error.status === 412 && error.code === 'PRECONDITION') {
    return `the tag matches an immutability rule of project ${context.project}: Harbor refuses to re-point it. Remove or narrow the rule (Project → Policy → Tag Immutability), or push under a new tag`;
  }
  if (error.status === 403 && text.includes('read only')) {
    return 'Harbor is in read-only mode (Administration → Configuration → System Settings → Repository Read Only); re-run when it is writable';
  }
  if (error.status === 403 && text.includes('exceed')) {
    return `project ${context.project} would exceed its storage quota: raise it (Project → Summary → Quota) or free space, then re-run`;
  }
  if (error.status === 403 && text.includes('csrf')) {
    return 'Harbor saw a session cookie and applied its CSRF check: something between us and Harbor keeps cookies; harbor-sync itself sends none';
  }
  if (error.status === 403 && text.includes('proxy project')) {
    return `project ${context.project} is a proxy-cache project, which cannot be pushed to: map the images to a normal project`;
  }
  if (error.status === 401 && text.includes('not found')) {
    return `project ${context.project} does not exist in Harbor: create it, or set create-projects: true`;
  }
  if (error.status === 401 && context.projectCreatedThisRun) {
    return `project ${context.project} was created, but ${who} cannot push to it (Harbor #15461): give the robot account push permission on ${context.project}, or use an account that is a member`;
  }
  if (error.status === 401 || error.status === 403) {
    return `${who} may not push to project ${context.project}: make the account a Developer (or higher) member of the project, or give the robot account push permission`;
  }
  return undefined;
}
