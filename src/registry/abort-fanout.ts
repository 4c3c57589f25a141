// One run-wide AbortSignal cuts every request in flight when a run is abandoned. Handed to undici
// as is, each request adds and removes its own listener on it, and Node's EventTarget walks every
// listener already there to find duplicates: with a hundred requests in flight that walk cost 5 %
// of a first sync's CPU at 24,000 tags (docs/performance.md, "The nightly at catalog scale").
// This stand-in listens once on the signal and keeps the requests' listeners in a Set.
//
// It has no `aborted` property on purpose: undici hands objects that do to Node's own
// addAbortListener, which takes real AbortSignals only. A request is therefore refused here, before
// it is sent, once the signal has fired (`throwIfAborted`).

type Listener = () => void;

export class AbortFanout {
  private readonly listeners = new Set<Listener>();
  private readonly signal: AbortSignal;

  constructor(signal: AbortSignal) {
    this.signal = signal;
    signal.addEventListener('abort', () => this.fire(), { once: true });
  }

  /** What undici gives a request it cuts: the signal's own reason (an AbortError). */
  get reason(): unknown {
    return this.signal.reason;
  }

  throwIfAborted(): void {
    this.signal.throwIfAborted();
  }

  addEventListener(_type: 'abort', listener: Listener): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    this.listeners.delete(listener);
  }

  private fire(): void {
    const listeners = [...this.listeners];
    this.listeners.clear();
    for (const listener of listeners) listener();
  }
}
