// The one way a body of a registry's or Harbor's answer is read (everything but a blob, which
// streams): at most `limit` bytes, and within the stall timeout in all. undici's bodyTimeout only
// measures the gaps between bytes, so a server trickling a byte a second would otherwise hold a
// small answer open forever, and one that never ends it would fill the memory.
import type { Readable } from 'node:stream';
import { NetworkError } from '../errors/base.js';
import type { ErrorCode } from '../errors/codes.js';
import { RegistryError } from '../errors/registry.js';
import { DISCARD_LIMIT, ERROR_READ_LIMIT } from './limits.js';
import { ShapeError, parseJson, type Shape } from '../errors/json-shape.js';

/** undici's response body: a Readable that can also discard itself (`dump`). */
export type Body = Readable & { dump(options?: { limit?: number }): Promise<unknown> };

/** What a reader needs of an answer (HttpResponse has it). */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Body;
  /** Where the answer came from (after redirects): its host names the server in messages. */
  url: URL;
  /** `GET /v2/team/app/tags/list`: method and path as asked, for messages. */
  request: string;
  /** The stall timeout: the most time reading a small body may take, in all. */
  stallMs: number;
}

export interface ReadLimit {
  /** Most bytes. */
  bytes: number;
  /** The code of the error when the body is larger (LIST_INCOMPLETE for a page of a list). */
  code: ErrorCode;
  /** What the body is, for the message: "tag list", "manifest". */
  what: string;
}

/** The whole body, or an error naming the request when it is larger than the limit or takes longer
 * than the stall timeout. Chunks are joined once, at the end. */
export async function readBody(answer: Answer, limit: ReadLimit): Promise<Buffer> {
  const tooLarge = (): RegistryError =>
    new RegistryError({
      message: `${answer.request} on ${answer.url.host}: the ${limit.what} is larger than ${limit.bytes} bytes, more than any real one: not read further`,
      status: answer.status,
      request: answer.request,
      code: limit.code,
    });
  const declared = Number(answer.headers['content-length']);
  if (declared > limit.bytes) {
    answer.body.destroy();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const timer = deadline(answer);
  try {
    for await (const chunk of answer.body) {
      total += (chunk as Buffer).length;
      if (total > limit.bytes) {
        answer.body.destroy();
        throw tooLarge();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw timer.expired ? timer.error(limit.what) : error;
  } finally {
    timer.clear();
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** The body as JSON of the given shape, or an error naming the request and the place in the
 * document that is wrong (with `limit.code`). */
export async function readJson<T>(answer: Answer, limit: ReadLimit, shape: Shape<T>): Promise<T> {
  const text = (await readBody(answer, limit)).toString('utf8');
  try {
    return shape(parseJson(text));
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new RegistryError({
      message: `${answer.request} on ${answer.url.host}: the ${limit.what} is not of the form the protocol sends: ${error.message}`,
      status: answer.status,
      request: answer.request,
      code: limit.code,
    });
  }
}

/** The start of an error answer's body (its `errors` say what went wrong), as text; whatever
 * comes after ERROR_READ_LIMIT, or after the stall timeout, is not waited for: the connection is
 * cut. Never throws: the status is the failure, the body only its explanation. */
export async function readErrorText(answer: Answer): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const timer = deadline(answer);
  try {
    for await (const chunk of answer.body) {
      const room = ERROR_READ_LIMIT - total;
      chunks.push(room < (chunk as Buffer).length ? (chunk as Buffer).subarray(0, room) : (chunk as Buffer));
      total += Math.min(room, (chunk as Buffer).length);
      if (total >= ERROR_READ_LIMIT) {
        answer.body.destroy();
        break;
      }
    }
  } catch {
    // cut short (time, or the connection): what arrived is all there is
  } finally {
    timer.clear();
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** Lets a body nobody reads pass, so the connection can be used again: at most DISCARD_LIMIT
 * bytes and the stall timeout, after which the connection is cut. Never throws. */
export async function discardBody(answer: Pick<Answer, 'body' | 'stallMs'>): Promise<void> {
  const timer = setTimeout(() => answer.body.destroy(), answer.stallMs);
  try {
    await answer.body.dump({ limit: DISCARD_LIMIT });
  } catch {
    // a body that failed is discarded all the same
  } finally {
    clearTimeout(timer);
  }
}

/** One timer per small body: when it fires, the body is destroyed, and the reader says why. */
function deadline(answer: Answer): { expired: boolean; clear(): void; error(what: string): NetworkError } {
  const state = {
    expired: false,
    clear: () => clearTimeout(timer),
    error: (what: string) =>
      new NetworkError({
        code: 'UNREACHABLE',
        message: `${answer.request} on ${answer.url.host}: the ${what} did not arrive whole within the stall timeout of ${answer.stallMs / 1000} s: the server sends it too slowly (or never ends it)`,
        request: answer.request,
        status: answer.status,
        cause: Object.assign(new Error('small answer too slow'), { code: 'UND_ERR_BODY_TIMEOUT' }),
      }),
  };
  const timer = setTimeout(() => {
    state.expired = true;
    answer.body.destroy();
  }, answer.stallMs);
  return state;
}
