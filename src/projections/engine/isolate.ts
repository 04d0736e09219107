import type pg from 'pg';
import type { Recorded } from '../../events/envelope.js';
import type { Projection, Reactor, Tables } from './projection.js';
import { describeError, isAboutTheData, type SetAside } from './set-aside.js';

// Finds the messages of a batch that a projection cannot apply, so the rest can commit. Messages,
// not single events, are the unit: the events of one decision commit together, and the read
// models skip whatever a stored row's last_seq already includes (they never see half a message).

/** Consecutive events grouped by the stream message that carried them. */
export function messagesOf(events: readonly Recorded[]): Recorded[][] {
  const out: Recorded[][] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && last[0]!.seq === e.seq) last.push(e);
    else out.push([e]);
  }
  return out;
}

export function setAsideOf(message: readonly Recorded[], e: unknown, index: number | null): SetAside {
  const first = message[0]!;
  return {
    seq: first.seq,
    index,
    type: [...new Set(message.map((m) => m.type))].join(','),
    aggregate: first.aggregate,
    ...describeError(e),
  };
}

const SAVEPOINT = 'tarka_isolate';

/** Runs f under a savepoint; on failure rolls back to it (a dead connection throws here) and rethrows. */
async function guarded(tx: pg.ClientBase, f: () => Promise<void>): Promise<void> {
  await tx.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    await f();
  } catch (e) {
    await tx.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    throw e;
  }
  await tx.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
}

/**
 * Applies events in the caller's transaction. When that fails because of the data, bisects the
 * batch by message under savepoints: halves that apply are kept, a single failing message is
 * returned to be set aside. Outages are rethrown: the batch then retries from the checkpoint.
 * Applying consecutive halves equals applying the whole, so the kept rows are what an in-order
 * apply without the set-aside messages gives.
 */
export async function applyIsolating(
  tx: pg.ClientBase,
  p: Projection,
  events: Recorded[],
  tables: Tables,
): Promise<SetAside[]> {
  if (events.length === 0) return [];
  const out: SetAside[] = [];
  const attempt = async (messages: Recorded[][]): Promise<void> => {
    try {
      await guarded(tx, () => p.apply(tx, messages.flat(), tables));
      return;
    } catch (e) {
      if (!isAboutTheData(e)) throw e;
      if (messages.length === 1) {
        out.push(setAsideOf(messages[0]!, e, await locate(tx, p, messages[0]!, tables)));
        return;
      }
    }
    const half = Math.ceil(messages.length / 2);
    await attempt(messages.slice(0, half));
    await attempt(messages.slice(half));
  };
  await attempt(messagesOf(events));
  return out;
}

/** Index of the first event of a failing message that makes it fail (by its shortest failing prefix). */
async function locate(tx: pg.ClientBase, p: Projection, message: Recorded[], tables: Tables) {
  for (let k = 1; k < message.length; k++) {
    try {
      // Rolled back whatever happens: this only tells where the message breaks.
      await guarded(tx, async () => {
        await p.apply(tx, message.slice(0, k), tables);
        throw new PrefixApplied();
      });
    } catch (e) {
      if (e instanceof PrefixApplied) continue;
      if (!isAboutTheData(e)) throw e;
      return k - 1;
    }
  }
  return message.length - 1;
}

class PrefixApplied extends Error {}

/**
 * Runs a reactor's effect for a batch; when it fails because of the data, runs it message by
 * message (effects are idempotent, so repeating the ones that worked is harmless) and returns
 * the messages whose effect fails, to be set aside. Outages are rethrown.
 */
export async function reactIsolating(
  p: Reactor,
  events: Recorded[],
  options: { late?: boolean } = {},
): Promise<SetAside[]> {
  if (events.length === 0) return [];
  try {
    await p.react(events, options);
    return [];
  } catch (e) {
    if (!isAboutTheData(e)) throw e;
  }
  const out: SetAside[] = [];
  for (const message of messagesOf(events)) {
    let failure: unknown;
    let index: number | null = null;
    for (let i = 0; i < message.length; i++) {
      try {
        await p.react([message[i]!], options);
      } catch (e) {
        if (!isAboutTheData(e)) throw e;
        failure ??= e;
        index ??= i;
      }
    }
    if (failure !== undefined) out.push(setAsideOf(message, failure, index));
  }
  return out;
}
