import { hostname } from 'node:os';
import type { Consumer, JsMsg, NatsConnection } from 'nats';
import type { CaseCommandHandler } from '../commands/case/handler.js';
import type { EventStore } from '../events/event-store.js';
import { jobSchema, type Job } from '../nats/job.js';
import { boundError } from '../investigation/bounds.js';
import { investigate, type Step, type Toolkit, type Window } from '../investigation/investigate.js';
import type { Logger } from '../shared/log.js';
import type { Enricher } from '../llm/enricher.js';
import { retryJetStreamSetup } from '../nats/jetstream-retry.js';
import { alertForJob } from './case-context.js';
import type { IncidentGrouping } from '../incidents/grouping.js';
import { ensureDeadLetterStream } from '../nats/jetstream-setup.js';
import {
  deadLetterStream,
  deadLetterSubject,
  ensureJobConsumer,
  publishDeadLetter,
} from '../nats/job-queue.js';
import {
  ensureMaxDeliveries,
  maxDeliveriesDurable,
  maxDeliveriesStream,
  readMaxDeliveries,
  type MaxDeliveriesAdvisory,
} from '../nats/max-deliveries.js';

export interface WorkerOptions {
  stream: string;
  subject: string;
  durable: string;
  concurrency: number;
  fetchBatch: number;
  ackWaitSeconds: number;
  maxDeliver: number;
  /** Evidence window before the alert's start (TIME_WINDOW). */
  windowMs: number;
  /** How long SIGTERM waits for jobs in hand before giving them back. */
  shutdownMs: number;
  /** Replicas of the dead-letter and advisory streams (NATS_REPLICAS); 1 when not given. */
  replicas?: number;
  /** Bounds of the dead-letter stream (JETSTREAM_DLQ_*); defaults in STREAM_DEFAULTS. */
  deadLetter?: { maxMessages?: number; maxBytes?: number; maxAgeMs?: number };
}

/**
 * Pulls investigation jobs and runs them, up to `concurrency` at once. Each job is started the
 * moment it arrives, so no job waits for the slowest one of its batch; long jobs send in-progress
 * heartbeats; the last failed delivery records a final failure and goes to the dead-letter stream.
 */
export class Worker {
  private stopping = false;
  private readonly inflight = new Map<JsMsg, Promise<void>>();
  private loop: Promise<void> | undefined;
  private deadLoop: Promise<void> | undefined;
  private consumer: Consumer | undefined;
  readonly id = `${hostname()}-${process.pid}`;
  completed = 0;

  constructor(
    private readonly deps: {
      nc: NatsConnection;
      store: EventStore;
      handler: CaseCommandHandler;
      log: Logger;
      toolkit: Toolkit;
      /** The optional LLM's narrative, appended after the report (LLM_ENABLED). */
      enrich?: Enricher;
      /** Alert storms: a member whose shared cause another member investigates is not run. */
      incidents?: IncidentGrouping;
    },
    private readonly opts: WorkerOptions,
  ) {}

  async start(): Promise<this> {
    // A node restart or a leader election makes set-up requests time out for a few seconds: wait
    // it out here rather than exit (the process answers /health already).
    const { consumer, advisories } = await retryJetStreamSetup(
      'worker set-up',
      () => this.setUp(),
      this.deps.log,
    );
    this.consumer = consumer;
    this.loop = this.run();
    this.deadLoop = readMaxDeliveries(
      advisories,
      () => this.stopping,
      (a) => this.diedOnEveryDelivery(a),
      (err, what) => this.deps.log.warn({ err }, what),
    );
    return this;
  }

  /** The job consumer, the dead-letter stream and the max-deliveries advisories, ensured. */
  private async setUp(): Promise<{ consumer: Consumer; advisories: Consumer }> {
    const jsm = await this.deps.nc.jetstreamManager();
    await ensureJobConsumer(jsm, this.opts);
    const replicas = this.opts.replicas ?? 1;
    await ensureDeadLetterStream(jsm, {
      name: deadLetterStream(this.opts.stream),
      subject: deadLetterSubject(this.opts.subject),
      replicas,
      ...this.opts.deadLetter,
    });
    await ensureMaxDeliveries(jsm, { ...this.opts, replicas });
    const js = this.deps.nc.jetstream();
    return {
      consumer: await js.consumers.get(this.opts.stream, this.opts.durable),
      advisories: await js.consumers.get(
        maxDeliveriesStream(this.opts.stream),
        maxDeliveriesDurable(this.opts.durable),
      ),
    };
  }

  /**
   * JetStream gave up on a job whose every delivery ended without an answer (the worker holding it
   * died each time): record the final failure, keep the job in the dead-letter stream, and take it
   * off the queue. Idempotent: a repeated advisory writes nothing new.
   */
  private async diedOnEveryDelivery(a: MaxDeliveriesAdvisory): Promise<void> {
    const { log } = this.deps;
    const jsm = await this.deps.nc.jetstreamManager();
    const stored = await jsm.streams.getMessage(this.opts.stream, { seq: a.stream_seq }).catch((e) => {
      if ((e as { code?: string }).code === '404' || /no message found/i.test(String(e))) return null;
      throw e;
    });
    if (!stored) return; // acked or dead-lettered meanwhile: nothing left to do
    const parsed = jobSchema.safeParse(parseJson(stored.data));
    const reason = `worker died on every delivery (${a.deliveries} deliveries, none answered): see the worker logs around then`;
    if (parsed.success) {
      const job = parsed.data;
      log.error(
        { caseId: job.caseId, investigationId: job.investigationId, deliveries: a.deliveries },
        'investigation job exhausted its deliveries without an answer',
      );
      await this.deps.handler.handle(
        job.caseId,
        {
          type: 'FailInvestigation',
          investigationId: job.investigationId,
          error: reason,
          final: true,
          attempts: a.deliveries,
        },
        `fail:${job.investigationId}:max-deliveries`,
      );
    }
    await this.publishDead(stored.data, a.stream_seq, a.deliveries, reason, true);
    await jsm.streams.deleteMessage(this.opts.stream, a.stream_seq, false).catch((e) => {
      if (!/no message found/i.test(String(e))) throw e;
    });
  }

  /** Stops fetching, finishes jobs in hand up to the deadline, then gives the rest back (nak). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.loop, this.deadLoop]);
    const deadline = new Promise((r) => setTimeout(r, this.opts.shutdownMs).unref());
    await Promise.race([Promise.all(this.inflight.values()), deadline]);
    for (const m of this.inflight.keys()) m.nak();
    if (this.inflight.size)
      this.deps.log.warn({ jobs: this.inflight.size }, 'gave unfinished jobs back to the queue');
  }

  private async run(): Promise<void> {
    let backoff = 250;
    while (!this.stopping) {
      const free = this.opts.concurrency - this.inflight.size;
      if (free <= 0) {
        await Promise.race(this.inflight.values());
        continue;
      }
      try {
        const batch = await this.consumer!.fetch({
          max_messages: Math.min(free, this.opts.fetchBatch),
          expires: 2000,
        });
        for await (const m of batch) {
          const p = this.handle(m).finally(() => this.inflight.delete(m));
          this.inflight.set(m, p);
          if (this.stopping) break;
        }
        backoff = 250;
      } catch (e) {
        if (this.stopping) break;
        this.deps.log.warn({ err: e }, 'fetching jobs failed; retrying');
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const { log } = this.deps;
    let job: Job;
    try {
      job = jobSchema.parse(m.json());
    } catch (e) {
      log.error({ seq: m.seq, err: e }, 'unreadable job: moved to the dead-letter stream');
      await this.deadLetter(m, `unreadable job: ${(e as Error).message.slice(0, 500)}`);
      m.term();
      return;
    }
    const attempt = m.info.redeliveryCount;
    const heartbeat = setInterval(() => m.working(), Math.max(1000, (this.opts.ackWaitSeconds * 1000) / 3));
    try {
      await this.run1(job, attempt);
      m.ack();
      this.completed++;
    } catch (e) {
      const error = boundError((e as Error).message ?? String(e));
      const final = attempt >= this.opts.maxDeliver;
      log.warn(
        { caseId: job.caseId, investigationId: job.investigationId, attempt, final, err: e },
        'investigation failed',
      );
      await this.deps.handler
        .handle(
          job.caseId,
          {
            type: 'FailInvestigation',
            investigationId: job.investigationId,
            error,
            final,
            attempts: attempt,
          },
          `fail:${job.investigationId}:${attempt}`,
        )
        .catch((err) => log.error({ err }, 'could not record the failure'));
      if (final) {
        await this.deadLetter(m, error);
        m.term();
      } else {
        m.nak(Math.min(30_000, 1000 * 2 ** attempt));
      }
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async run1(job: Job, attempt: number): Promise<void> {
    const { handler, store } = this.deps;
    if (job.reason === 'new_episode' && this.deps.incidents && (await this.covered(job))) return;
    const started = await handler.handle(
      job.caseId,
      { type: 'StartInvestigation', investigationId: job.investigationId, worker: this.id, attempt },
      `start:${job.investigationId}:${attempt}`,
    );
    if (started.events.length === 0 && !started.duplicate) return; // already finished: a duplicate job
    const alert = await alertForJob(store, job);
    if (!alert) throw new Error(`case ${job.caseId} has no alert for episode ${job.episode}`);
    const anchor = Date.parse(job.anchor);
    const windowMs = job.windowMinutes ? job.windowMinutes * 60_000 : this.opts.windowMs;
    const window: Window = {
      start: new Date(anchor - windowMs).toISOString(),
      end: new Date(Math.max(Math.min(Date.now(), anchor + windowMs), anchor + 5 * 60_000)).toISOString(),
    };
    // Steps of one investigation go to the case one after another: parallel appends would only
    // conflict with each other.
    let chain = Promise.resolve();
    const record = (s: Step) =>
      (chain = chain.then(async () => {
        await handler.handle(
          job.caseId,
          { type: 'RecordInvestigationStep', investigationId: job.investigationId, ...s },
          `step:${job.investigationId}:${attempt}:${s.step}`,
        );
      }));
    const report = await investigate(alert, window, this.deps.toolkit, record, {
      about: { caseId: job.caseId, episode: job.episode },
    });
    await chain;
    await handler.handle(
      job.caseId,
      { type: 'CompleteInvestigation', investigationId: job.investigationId, anchor: job.anchor, report },
      `complete:${job.investigationId}`,
    );
    await this.enrich(job, report);
  }

  /**
   * Decided before the job starts, on the incident aggregate (idempotent, so a redelivery decides
   * the same): when another member of the case's incident investigates the same alert, this job
   * records InvestigationSkipped pointing at it instead of running. A person's rerun always runs.
   */
  private async covered(job: Job): Promise<boolean> {
    const alert = await alertForJob(this.deps.store, job);
    if (!alert) return false;
    const cover = await this.deps.incidents!.coverage(job.caseId, job.investigationId, alert);
    if (!cover) return false;
    const res = await this.deps.handler.handle(
      job.caseId,
      {
        type: 'SkipInvestigation',
        investigationId: job.investigationId,
        incidentId: cover.incidentId,
        coveredBy: cover.coveredBy,
        reason: `another member of incident ${cover.incidentId} investigates ${alert.labels.alertname ?? 'this alert'}`,
      },
      `skip:${job.investigationId}`,
    );
    // Nothing appended: the investigation had already finished; either way nothing runs here.
    this.deps.log.info(
      {
        caseId: job.caseId,
        incidentId: cover.incidentId,
        coveredBy: cover.coveredBy.caseId,
        recorded: res.events.length,
      },
      'investigation covered by its incident',
    );
    return true;
  }

  /**
   * The LLM narrative comes after the report is stored: whatever happens here (provider down, a
   * bug, the append failing), the investigation has completed and stays so.
   */
  private async enrich(job: Job, report: Parameters<Enricher>[1]): Promise<void> {
    if (!this.deps.enrich) return;
    try {
      const enrichment = await this.deps.enrich(job.investigationId, report);
      if (!enrichment) return;
      if (enrichment.error)
        this.deps.log.warn(
          { caseId: job.caseId, investigationId: job.investigationId, code: enrichment.error.code },
          'LLM enrichment missing: deterministic report only',
        );
      await this.deps.handler.handle(
        job.caseId,
        { type: 'RecordEnrichment', enrichment },
        `enrich:${job.investigationId}`,
      );
    } catch (err) {
      this.deps.log.error(
        { err, investigationId: job.investigationId },
        'LLM enrichment could not be recorded',
      );
    }
  }

  private async deadLetter(m: JsMsg, reason: string): Promise<void> {
    await this.publishDead(m.data, m.seq, m.info.redeliveryCount, reason, false);
  }

  /** A copy for people to inspect; `strict` when the job is deleted from the queue right after. */
  private async publishDead(
    data: Uint8Array,
    seq: number,
    deliveries: number,
    reason: string,
    strict: boolean,
  ): Promise<void> {
    await publishDeadLetter(this.deps.nc, this.opts.subject, { data, seq, deliveries, reason }).catch((e) => {
      this.deps.log.error({ err: e }, 'could not write to the dead-letter stream');
      if (strict) throw e;
    });
  }
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
