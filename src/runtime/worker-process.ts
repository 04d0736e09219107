import { durationMs } from '../shared/config.js';
import { insecureSources } from '../collectors/sources.js';
import { createToolkit } from '../investigation/toolkit.js';
import type { Toolkit } from '../investigation/investigate.js';
import { Worker } from '../worker/worker.js';
import { IncidentGrouping, failedInLog } from '../incidents/grouping.js';
import { IncidentCommandHandler } from '../commands/incident/handler.js';
import { memoryRecall } from '../memory/recall.js';
import type { Context } from './context.js';
import type { Running } from './processes.js';
import { enricherOf } from '../llm/enricher.js';
import { llmMetrics, observeCall } from '../llm/metrics.js';
import { llmFromConfig, type LlmSetup } from '../llm/setup.js';
import type { ToolDeps } from '../chat/types.js';
import { spentOn } from '../projections/llm-usage/queries.js';
import { ProjectorRunner } from '../projections/engine/runner.js';
import { chatAnswerer } from '../reactors/chat-answerer.js';
import { answerStreamPublisher, answerStreamSubject } from '../chat/answer-stream.js';

/** The chat answerer as the worker runs it: the toolkit's collectors, the LLM when configured. */
export function chatAnswererOf(
  ctx: Context,
  collectors?: ToolDeps['collectors'],
  llm: LlmSetup | null = llmFromConfig(ctx.config, { spentOn: (day) => spentOn(ctx.readPool, day) }),
) {
  const metrics = llmMetrics(ctx.metrics.registry);
  return chatAnswerer({
    config: ctx.config,
    store: ctx.store,
    readPool: ctx.readPool,
    handler: ctx.handler,
    log: ctx.log,
    ...(collectors ? { tools: { collectors } } : {}),
    llm,
    onLlmCall: (call) => observeCall(metrics, 'chat', call),
    // Streamed answer text goes to the console servers over NATS.
    streamAnswer: answerStreamPublisher(ctx.nc, answerStreamSubject(ctx.config)),
  });
}

/** The investigation worker with the real toolkit (or the one given, in tests). */
export async function startWorker(
  ctx: Context,
  toolkit: Toolkit = createToolkit(ctx.config),
): Promise<Running & { worker: Worker; answerer: ProjectorRunner }> {
  const c = ctx.config;
  for (const variable of insecureSources(c)) {
    ctx.log.warn({ variable }, `${variable}=true: this data source's TLS certificate is not verified`);
  }
  // The daily budget counts every replica's calls, from the llm_usage read model.
  const llm = llmFromConfig(c, { spentOn: (day) => spentOn(ctx.readPool, day) });
  if (llm) ctx.log.info({ provider: c.LLM_PROVIDER, model: c.LLM_MODEL }, 'LLM enrichment and chat on');
  const metrics = llmMetrics(ctx.metrics.registry);
  const worker = await new Worker(
    {
      nc: ctx.nc,
      store: ctx.store,
      handler: ctx.handler,
      log: ctx.log,
      // Every investigation looks up similar past incidents in the case memory read model.
      toolkit: toolkit.recall ? toolkit : { ...toolkit, recall: memoryRecall(ctx.readPool) },
      // Alert storms: one investigation per shared cause (INCIDENT_WINDOW_MINUTES=0: every alert runs).
      ...(c.INCIDENT_WINDOW_MINUTES > 0
        ? {
            incidents: new IncidentGrouping(
              new IncidentCommandHandler(ctx.store),
              c.INCIDENT_WINDOW_MINUTES * 60_000,
              failedInLog(ctx.store),
            ),
          }
        : {}),
      ...(llm ? { enrich: enricherOf(llm, (e) => observeCall(metrics, 'enrichment', e)) } : {}),
    },
    {
      stream: c.JETSTREAM_STREAM,
      subject: c.JETSTREAM_SUBJECT,
      durable: c.JETSTREAM_DURABLE,
      concurrency: c.WORKER_CONCURRENCY,
      fetchBatch: c.WORKER_FETCH_BATCH,
      ackWaitSeconds: c.JETSTREAM_ACK_WAIT_SECONDS,
      maxDeliver: c.JETSTREAM_MAX_DELIVER,
      windowMs: durationMs(c.TIME_WINDOW),
      shutdownMs: c.WORKER_SHUTDOWN_SECONDS * 1000,
      replicas: c.NATS_REPLICAS,
      deadLetter: {
        maxMessages: c.JETSTREAM_DLQ_MAX_MESSAGES,
        maxBytes: c.JETSTREAM_DLQ_MAX_BYTES,
        maxAgeMs: durationMs(c.JETSTREAM_DLQ_MAX_AGE),
      },
    },
  ).start();
  ctx.log.info(
    { concurrency: c.WORKER_CONCURRENCY, durable: c.JETSTREAM_DURABLE },
    'worker pulling investigation jobs',
  );
  // Chat questions are answered here, where the data sources are reachable (Kubernetes RBAC,
  // egress to Prometheus and logs, collector credentials), with the toolkit's own collectors. A
  // reactor with its checkpoint and lock in Postgres: one worker replica answers, the others stand by.
  const answerer = new ProjectorRunner(
    { pool: ctx.pool, store: ctx.store, log: ctx.log, metrics: ctx.metrics },
    chatAnswererOf(ctx, { collect: (r, w) => toolkit.collect(r, w) }, llm),
  ).start();
  return {
    worker,
    answerer,
    stop: async () => {
      await answerer.stop();
      await worker.stop();
    },
  };
}
