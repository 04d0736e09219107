import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type NatsConnection,
  type StreamConfig,
} from 'nats';
import { TarkaError } from '../shared/errors.js';

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
  const wanted: Partial<StreamConfig> = {
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
  let info;
  try {
    info = await jsm.streams.info(spec.name);
  } catch (e) {
    if ((e as { code?: string }).code !== '404') throw e;
    await jsm.streams.add(wanted);
    return;
  }
  const c = info.config;
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
}

/** The job queue: work-queue retention, so an acked job is gone and a pending one survives restarts. */
export async function ensureWorkQueue(jsm: JetStreamManager, spec: WorkQueueSpec): Promise<void> {
  const wanted: Partial<StreamConfig> = {
    name: spec.name,
    subjects: [spec.subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    num_replicas: spec.replicas,
    duplicate_window: nanos(spec.duplicateWindowSeconds),
    max_msg_size: 1024 * 1024,
  };
  try {
    const info = await jsm.streams.info(spec.name);
    if (
      info.config.retention !== RetentionPolicy.Workqueue ||
      !info.config.subjects?.includes(spec.subject)
    ) {
      throw new TarkaError(
        'TARKA_ES_STREAM_UNFIT',
        `stream ${spec.name} is not a work queue on ${spec.subject} (retention ${info.config.retention}, subjects ${JSON.stringify(info.config.subjects)})`,
        'set JETSTREAM_STREAM to an unused name, or fix the stream',
      );
    }
  } catch (e) {
    if ((e as { code?: string }).code !== '404') throw e;
    await jsm.streams.add(wanted);
  }
}
