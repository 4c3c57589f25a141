// Turns whatever went wrong in one step of one tag into the StepFailure the report shows: the step,
// our code, the HTTP status and the registry's code, the message, and what to do when we know.
import { HarborPolicyError, HarborSyncError, NetworkError, isHarborSyncError } from '../errors/base.js';
import { causeCode, causeText, certificateCode, findCause } from '../errors/cause-chain.js';
import type { Step } from '../errors/codes.js';
import { isRegistryError } from '../errors/registry.js';
import { explainHarborAnswer, type HintContext } from '../harbor/hints.js';
import type { StepFailure } from '../model/result.js';
import { isNetworkError } from '../registry/retry.js';

/** Runs one step; any error leaves it as a HarborSyncError placed at that step. */
export async function inStep<T>(step: Step, work: () => Promise<T>, harbor?: HintContext): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw placeAt(error, step, harbor);
  }
}

/** The error as a HarborSyncError at `step` (its own step if it has one), with Harbor's answers
 * explained when `harbor` says which project the write was for. */
export function placeAt(error: unknown, step: Step, harbor?: HintContext): HarborSyncError {
  if (isAbort(error)) {
    return new HarborSyncError({
      code: 'INTERRUPTED',
      step: 'interrupted',
      message: `interrupted during the ${step} step; nothing partial was committed (a tag is pushed only after all its blobs): a re-run completes it`,
      cause: error,
    });
  }
  if (!isHarborSyncError(error)) {
    const message = causeText(error);
    // A connection that failed after the client's retries (Node's or undici's code): not a bug of ours.
    if (isNetworkError(error)) return new NetworkError({ code: 'UNREACHABLE', step, message, cause: error });
    // A certificate refused mid-run (a redirect to blob storage, the upstream): say what to set.
    const certificate = certificateCode(error);
    if (certificate)
      return new NetworkError({
        code: 'TLS_FAILED',
        step,
        message: `${message} (${certificate})`,
        hint: 'trust the certificate that signed it with the ca-file input of that registry, or set its insecure input',
        cause: error,
      });
    return new HarborSyncError({ code: 'INTERNAL', step, message, cause: error });
  }
  if (error.step !== undefined) return error;
  const explained = harbor && isRegistryError(error) ? explainHarborAnswer(error, harbor) : undefined;
  if (!explained) return error.at(step);
  const details = {
    ...error.details(),
    step,
    hint: explained.hint,
    ...(explained.code && { code: explained.code }),
    cause: error,
  };
  return explained.policy ? new HarborPolicyError(details) : new HarborSyncError(details);
}

export function toFailure(error: unknown, step: Step, harbor?: HintContext): StepFailure {
  const placed = placeAt(error, step, harbor);
  // A registry's own words, when it sent some, say more than our summary of its answer (unless
  // we said something else about it on the way: then that is the message).
  const answer = findCause(placed, isRegistryError);
  const words = answer?.restatesAnswer && answer.errors.length > 0 && answer.message === placed.message;
  const message = words ? `${answer.request}: ${answer.registryMessage}` : placed.message;
  return {
    step: placed.step ?? step,
    errorCode: placed.code,
    ...(placed.status !== undefined && { status: placed.status }),
    ...(placed.registryCode !== undefined && { code: placed.registryCode }),
    message,
    ...(placed.hint !== undefined && { hint: placed.hint }),
  };
}

/** A failure of ours, made where we decide it (a collision, a missing project). */
export function failure(step: Step, errorCode: StepFailure['errorCode'], message: string, hint?: string): StepFailure {
  return { step, errorCode, message, ...(hint !== undefined && { hint }) };
}

const ABORT_CODES = new Set(['UND_ERR_ABORTED', 'ABORT_ERR']);

function isAbort(error: unknown): boolean {
  return (
    findCause(error, (e) => (e as { name?: unknown }).name === 'AbortError') !== undefined ||
    causeCode(error, (c) => ABORT_CODES.has(c)) !== undefined
  );
}
