import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { TarkaError } from '../shared/errors.js';
import { isTransientJetStreamError } from './jetstream-retry.js';

const MIN_SERVER = [2, 9, 0] as const;

function parseVersion(v: string): number[] {
  return v
    .split(/[.-]/)
    .slice(0, 3)
    .map((n) => Number.parseInt(n, 10) || 0);
}

function atLeast(v: string, min: readonly number[]): boolean {
  const p = parseVersion(v);
  for (let i = 0; i < min.length; i++) {
    if ((p[i] ?? 0) !== min[i]) return (p[i] ?? 0) > min[i]!;
  }
  return true;
}

/** Refuses to run against a server that lacks what the event store relies on. */
export function checkServerVersion(version: string): void {
  if (!atLeast(version, MIN_SERVER)) {
    throw new TarkaError(
      'TARKA_ES_SERVER_FEATURE_MISSING',
      `nats-server ${version} is too old: Tarka needs ${MIN_SERVER.join('.')} or later (Direct Get, subject expectations)`,
      'upgrade nats-server; production should run 2.10 or later',
    );
  }
}

export async function jetStreamManager(nc: NatsConnection): Promise<JetStreamManager> {
  checkServerVersion(nc.info?.version ?? '0.0.0');
  try {
    return await nc.jetstreamManager();
  } catch (cause) {
    // A node that just restarted or a cluster electing its leader answers late: not a missing feature.
    if (isTransientJetStreamError(cause)) throw cause;
    throw new TarkaError(
      'TARKA_ES_SERVER_FEATURE_MISSING',
      `JetStream is not available on ${nc.getServer()}: ${(cause as Error).message}`,
      'start nats-server with JetStream enabled (-js)',
      { cause },
    );
  }
}

export interface EventStreamSpec {
  name: string;
  subjectPrefix: string;
  replicas: number;
  duplicateWindowSeconds: number;
}

const nanos = (s: number) => s * 1_000_000_000;

/**
 * Creates the event stream, or checks that an existing one is fit to be the source of truth:
 * limits retention without limits, deletes and purges denied, Direct Get on.
 */
export async function ensureEventStream(jsm: JetStreamManager, spec: EventStreamSpec): Promise<void> {
  const subjects = [`${spec.subjectPrefix}.>`];
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: spec.name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
    max_msgs_per_subject: -1,
    max_msg_size: 1024 * 1024,
    deny_delete: true,
    deny_purge: true,
    allow_direct: true,
    num_replicas: spec.replicas,
    duplicate_window: nanos(spec.duplicateWindowSeconds),
  };
  const c = await existingOrCreated(jsm, wanted);
  if (!c) return;
  const problems: string[] = [];
  if (c.retention !== RetentionPolicy.Limits) problems.push(`retention is ${c.retention}, must be limits`);
  if (c.max_age > 0) problems.push('max_age is set: events would expire');
  if (c.max_msgs > 0 || c.max_bytes > 0 || c.max_msgs_per_subject > 0)
    problems.push('size limits are set: events would be dropped');
  if (!c.deny_delete || !c.deny_purge) problems.push('deletes or purges are allowed');
  if (!c.allow_direct) problems.push('allow_direct is off');
  if (!c.subjects?.includes(subjects[0]!))
    problems.push(`subjects ${JSON.stringify(c.subjects)} do not include ${subjects[0]}`);
  if (problems.length > 0) {
    throw new TarkaError(
      'TARKA_ES_STREAM_UNFIT',
      `stream ${spec.name} cannot hold Tarka events: ${problems.join('; ')}`,
      'point EVENTS_STREAM at a new stream name (Tarka creates it), or fix the stream configuration',
    );
  }
  if (c.duplicate_window !== wanted.duplicate_window) {
    await jsm.streams.update(spec.name, { ...c, duplicate_window: wanted.duplicate_window! });
  }
}

export interface WorkQueueSpec {
  name: string;
  subject: string;
  replicas: number;
  duplicateWindowSeconds: number;
  /** Jobs and bytes the queue holds at most (JETSTREAM_MAX_JOBS, JETSTREAM_MAX_BYTES). */
  maxJobs?: number;
  maxBytes?: number;
}

/** Bounds of Tarka's own streams when not configured (the config defaults are the same). */
export const STREAM_DEFAULTS = {
  maxJobs: 100_000,
  maxJobBytes: 256 * 1024 * 1024,
  deadLetterMessages: 10_000,
  deadLetterBytes: 256 * 1024 * 1024,
  deadLetterAgeMs: 30 * 86_400_000,
};

/** A job or a dead letter is a few KB; anything near this is a bug, not a job. */
export const MAX_JOB_BYTES = 1024 * 1024;

/** The limits Tarka sets on a stream it owns, and applies again at start when they differ. */
type Limits = Pick<StreamConfig, 'max_msgs' | 'max_bytes' | 'max_age' | 'max_msg_size' | 'discard'>;

async function applyLimits(
  jsm: JetStreamManager,
  name: string,
  current: StreamConfig,
  limits: Limits,
): Promise<void> {
  const differs = (Object.keys(limits) as (keyof Limits)[]).some((k) => current[k] !== limits[k]);
  // nats-server 2.9 accepts changes of these limits on an existing stream (retention it does not).
  if (differs) await jsm.streams.update(name, { ...current, ...limits });
}

/**
 * The job queue: work-queue retention, so an acked job is gone and a pending one survives restarts.
 * Bounded, and full means "refuse": discard new makes the dispatcher's publish fail, so it keeps
 * its checkpoint and retries (discard old would silently drop queued jobs). No age limit: an
 * expired job would be an investigation lost without a word.
 */
export async function ensureWorkQueue(jsm: JetStreamManager, spec: WorkQueueSpec): Promise<void> {
  const limits: Limits = {
    max_msgs: spec.maxJobs ?? STREAM_DEFAULTS.maxJobs,
    max_bytes: spec.maxBytes ?? STREAM_DEFAULTS.maxJobBytes,
    max_age: 0,
    max_msg_size: MAX_JOB_BYTES,
    discard: DiscardPolicy.New,
  };
  const wanted: Partial<StreamConfig> & { name: string } = {
    name: spec.name,
    subjects: [spec.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    num_replicas: spec.replicas,
    duplicate_window: nanos(spec.duplicateWindowSeconds),
    ...limits,
  };
  const c = await existingOrCreated(jsm, wanted);
  if (!c) return;
  if (c.retention !== RetentionPolicy.Workqueue || !c.subjects?.includes(spec.subject)) {
    throw new TarkaError(
      'TARKA_ES_STREAM_UNFIT',
      `stream ${spec.name} is not a work queue on ${spec.subject} (retention ${c.retention}, subjects ${JSON.stringify(c.subjects)})`,
      'set JETSTREAM_STREAM to an unused name, or fix the stream',
    );
  }
  await applyLimits(jsm, spec.name, c, limits);
}

export interface DeadLetterSpec {
  name: string;
  subject: string;
  replicas: number;
  /** JETSTREAM_DLQ_MAX_MESSAGES, JETSTREAM_DLQ_MAX_BYTES, JETSTREAM_DLQ_MAX_AGE. */
  maxMessages?: number;
  maxBytes?: number;
  maxAgeMs?: number;
}

/**
 * Dead letters: a record for people, bounded in count, bytes and age. Full, the oldest go first:
 * each dead letter's failure is already in the case's log (InvestigationFailed), so dropping an old
 * copy loses no case, while refusing new ones would lose the newest evidence.
 */
export async function ensureDeadLetterStream(jsm: JetStreamManager, spec: DeadLetterSpec): Promise<void> {
  const limits: Limits = {
    max_msgs: spec.maxMessages ?? STREAM_DEFAULTS.deadLetterMessages,
    max_bytes: spec.maxBytes ?? STREAM_DEFAULTS.deadLetterBytes,
    max_age: (spec.maxAgeMs ?? STREAM_DEFAULTS.deadLetterAgeMs) * 1_000_000,
    max_msg_size: MAX_JOB_BYTES + 16 * 1024,
    discard: DiscardPolicy.Old,
  };
  const c = await existingOrCreated(jsm, {
    name: spec.name,
    subjects: [spec.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: spec.replicas,
    ...limits,
  });
  if (c) await applyLimits(jsm, spec.name, c, limits);
}

/**
 * The stream's configuration as it stands, or null once it is created as `wanted`. Several
 * replicas start at once: a stream another one created meanwhile (10058) is read, not an error.
 */
async function existingOrCreated(
  jsm: JetStreamManager,
  wanted: Partial<StreamConfig> & { name: string },
): Promise<StreamConfig | null> {
  try {
    return (await jsm.streams.info(wanted.name)).config;
  } catch (e) {
    if ((e as { code?: string }).code !== '404') throw e;
  }
  try {
    await jsm.streams.add(wanted);
    return null;
  } catch (e) {
    if ((e as { api_error?: { err_code?: number } }).api_error?.err_code !== STREAM_NAME_IN_USE) throw e;
    return (await jsm.streams.info(wanted.name)).config;
  }
}

const STREAM_NAME_IN_USE = 10058;
