// Turns whatever went wrong in one step of one tag into the StepFailure the report shows:
// step, HTTP status, registry error code, message, and a hint when we have one.
import { isRegistryError } from '../registry/errors.js';
import { DigestMismatchError } from '../registry/digest.js';
import { harborHint, type HintContext } from '../harbor/hints.js';
import type { Step, StepFailure } from './types.js';

export class StepError extends Error {
  override readonly name = 'StepError';
  readonly failure: StepFailure;
  constructor(failure: StepFailure, cause?: unknown) {
    super(failure.message, cause === undefined ? undefined : { cause });
    this.failure = failure;
  }
}

/** Runs one step; any error leaves it as a StepError naming the step. */
export async function inStep<T>(step: Step, work: () => Promise<T>, harborContext?: HintContext): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StepError) throw error;
    throw new StepError(describeFailure(step, error, harborContext), error);
  }
}

export function describeFailure(step: Step, error: unknown, harborContext?: HintContext): StepFailure {
  if (error instanceof StepError) return error.failure;
  if (isRegistryError(error)) {
    const hint = harborContext ? harborHint(error, harborContext) : undefined;
    return {
      step,
      ...(error.status !== undefined && { status: error.status }),
      ...(error.code !== undefined && { code: error.code }),
      message: error.errors.length > 0 ? `${error.request}: ${error.registryMessage}` : error.message,
      ...(hint && { hint }),
    };
  }
  if (isAbort(error)) {
    return { step: 'interrupted', message: `interrupted during the ${step} step; nothing partial was committed (a tag is pushed only after all its blobs): a re-run completes it` };
  }
  if (error instanceof DigestMismatchError) {
    return { step, code: 'DIGEST_INVALID', message: error.message };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return { step, ...(typeof code === 'string' && { code }), message };
}

function isAbort(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const name = (e as { name?: unknown }).name;
    const code = (e as { code?: unknown }).code;
    if (name === 'AbortError' || code === 'UND_ERR_ABORTED' || code === 'ABORT_ERR') return true;
  }
  return false;
}
