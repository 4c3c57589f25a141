// Who is calling: the admin, local users, robots (docs/harbor.md §1 "Robot accounts") or anonymous,
// and which repository actions each holds on a project.
import { timingSafeEqual } from 'node:crypto';
import type { Action, ProjectRecord } from './database.ts';

export interface RobotConfig {
  name: string; // without the prefix; `<project>+<name>` makes a project robot
  secret: string;
  permissions: { project: string; actions: Action[] }[];
  canCreateProjects?: boolean;
}

export type Identity =
  | { kind: 'anonymous'; name: '' }
  | { kind: 'user'; name: string; sysadmin: boolean; id: number }
  | { kind: 'robot'; name: string; level: 'system' | 'project'; project?: string; robot: RobotConfig };

export const ANONYMOUS: Identity = { kind: 'anonymous', name: '' };
const ALL: Action[] = ['pull', 'push', 'delete'];

export interface IdentityOptions {
  admin: { username: string; password: string };
  users: { username: string; password: string }[];
  robots: RobotConfig[];
  robotPrefix: string;
}

export class Identities {
  private options: IdentityOptions;
  constructor(options: IdentityOptions) {
    this.options = options;
  }

  /** Wrong credentials give undefined; callers then carry on as anonymous (docs/harbor.md §1). */
  authenticate(username: string, password: string): Identity | undefined {
    const { admin, users, robots, robotPrefix } = this.options;
    // A name carrying the configured prefix is looked up as a robot only (docs/harbor.md §1, §10).
    if (username.startsWith(robotPrefix)) {
      const short = username.slice(robotPrefix.length);
      const robot = robots.find((r) => r.name === short);
      if (!robot || !same(robot.secret, password)) return undefined;
      const plus = short.indexOf('+');
      if (plus > 0) return { kind: 'robot', name: username, level: 'project', project: short.slice(0, plus), robot };
      return { kind: 'robot', name: username, level: 'system', robot };
    }
    if (username === admin.username) {
      return same(admin.password, password) ? { kind: 'user', name: username, sysadmin: true, id: 1 } : undefined;
    }
    const i = users.findIndex((u) => u.username === username);
    if (i < 0 || !same(users[i]!.password, password)) return undefined;
    return { kind: 'user', name: username, sysadmin: false, id: i + 3 }; // Harbor's admin is 1, anonymous 2
  }

  isSysadmin(id: Identity): boolean {
    return id.kind === 'user' && id.sysadmin;
  }

  /** Repository actions `id` holds on `project` (none on a missing project: docs/harbor.md §1). */
  actionsOn(id: Identity, project: ProjectRecord | undefined): Action[] {
    if (!project) return [];
    const held = new Set<Action>();
    if (project.public) held.add('pull'); // public projects: pull for everyone, anonymous included
    if (id.kind === 'user') {
      if (id.sysadmin) return [...ALL];
      for (const a of project.members.get(id.name) ?? []) held.add(a);
    } else if (id.kind === 'robot') {
      // Project robots act on their own project only; system robots on the listed projects or `*`.
      // A project a robot created grants it nothing by itself (Harbor #15461, docs/harbor.md §10).
      if (id.level === 'project' && id.project !== project.name) return [...held];
      for (const p of id.robot.permissions) {
        if (p.project === project.name || (p.project === '*' && id.level === 'system'))
          for (const a of p.actions) held.add(a);
      }
    }
    return ALL.filter((a) => held.has(a));
  }
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
