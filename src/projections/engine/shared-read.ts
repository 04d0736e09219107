import type { EventStore, SubscribeOptions, Subscription } from '../../events/event-store.js';

interface Reader {
  o: SubscribeOptions;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The event store with its first `readers` subscriptions sharing one read of the log. `tarka
 * replay` rebuilds every read model from sequence 1 at once; reading and decoding the log once for
 * all of them instead of once each is most of the time saved. A batch goes to every reader at the
 * same time and the next waits for the slowest, so memory stays at one batch. A reader that fails
 * leaves the others reading; a later subscription (a runner starting over after an error, or one
 * that came after the grace period) reads on its own.
 */
export function sharedReading(store: EventStore, readers: number, graceMs = 2000): EventStore {
  const active = new Set<Reader>();
  let started = false;
  let grace: NodeJS.Timeout | undefined;
  let underlying: Subscription | undefined;

  const start = () => {
    clearTimeout(grace);
    if (started) return;
    started = true;
    const all = [...active];
    if (all.length === 0) return;
    underlying = store.subscribe({
      fromSeq: Math.min(...all.map((r) => r.o.fromSeq)),
      batchSize: Math.max(...all.map((r) => r.o.batchSize ?? 1000)),
      onBatch: async (events) => {
        await Promise.all(
          [...active].map(async (r) => {
            const mine = events.filter((e) => e.seq >= r.o.fromSeq);
            if (mine.length) await r.o.onBatch(mine).catch((e: unknown) => fail(r, e));
          }),
        );
      },
      onUnreadable: async (seq, error) => {
        await Promise.all(
          [...active].map(async (r) => {
            if (seq < r.o.fromSeq) return;
            if (!r.o.onUnreadable) return fail(r, error);
            await r.o.onUnreadable(seq, error).catch((e: unknown) => fail(r, e));
          }),
        );
      },
    });
    underlying.done.then(
      () => [...active].forEach((r) => leave(r)),
      (e: unknown) => [...active].forEach((r) => fail(r, e)),
    );
  };

  const leave = (r: Reader) => {
    if (!active.delete(r)) return;
    r.resolve();
    if (active.size === 0) void underlying?.stop();
  };
  const fail = (r: Reader, e: unknown) => {
    if (!active.delete(r)) return;
    r.reject(e);
    if (active.size === 0) void underlying?.stop();
  };

  const subscribe = (o: SubscribeOptions): Subscription => {
    if (started) return store.subscribe(o);
    let reader!: Reader;
    const done = new Promise<void>((resolve, reject) => (reader = { o, resolve, reject }));
    active.add(reader);
    if (active.size >= readers) start();
    else grace ??= setTimeout(start, graceMs);
    return {
      done,
      stop: async () => {
        leave(reader);
        await done.catch(() => undefined);
      },
    };
  };

  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
