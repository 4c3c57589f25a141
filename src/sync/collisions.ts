// Two sources must never write one Harbor tag. With mapping rules that can send two sources to one
// target, every job is held until all are known, so a collision fails both sides before anything
// is copied; otherwise the first source to claim a target keeps it and a later one fails (only
// `alpine` vs `library/alpine` can meet that way).
import type { StepFailure } from '../model/result.js';
import { failure } from './failure.js';
import type { TagJob } from './jobs.js';
import { findCollisions } from './mapping.js';

export class TargetClaims {
  /** Jobs wait here while the run is still learning every target. */
  private holding: boolean;
  private readonly held: TagJob[] = [];
  private readonly claims = new Map<string, string>();

  constructor(hold: boolean) {
    this.holding = hold;
  }

  /** `hold` while jobs are being held; otherwise `run`, `repeat` for a pair (source, target)
   * admitted before (a tag named twice, a signature that is also listed), or the failure when
   * another source already claimed the target. */
  admit(job: TagJob): { kind: 'hold' } | { kind: 'run' } | { kind: 'repeat' } | { kind: 'refuse'; error: StepFailure } {
    if (this.holding) {
      this.held.push(job);
      return { kind: 'hold' };
    }
    const claimant = this.claims.get(job.targetLabel);
    if (claimant === job.sourceLabel) return { kind: 'repeat' };
    if (claimant !== undefined)
      return { kind: 'refuse', error: collision(job.targetLabel, [claimant, job.sourceLabel]) };
    this.claims.set(job.targetLabel, job.sourceLabel);
    return { kind: 'run' };
  }

  /** Ends holding: every held job, each with the failure when it collides with another. From
   * here on (signatures of the held tags) jobs are admitted as they come. */
  release(): { job: TagJob; error?: StepFailure }[] {
    if (!this.holding) return [];
    this.holding = false;
    const collisions = findCollisions(this.held.map((j) => ({ source: j.sourceLabel, target: j.targetLabel })));
    return this.held.splice(0).map((job) => {
      const sources = collisions.get(job.targetLabel);
      return sources ? { job, error: collision(job.targetLabel, sources) } : { job };
    });
  }
}

function collision(target: string, sources: string[]): StepFailure {
  return failure(
    'config',
    'NAME_COLLISION',
    `${sources.join(' and ')} all map to ${target}; nothing was copied to it`,
    'change the mapping rules (or exclude one source) so each source has its own target',
  );
}
