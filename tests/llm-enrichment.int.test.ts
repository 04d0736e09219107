import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/http/app.js';
import { startProjectors } from '../src/runtime/projectors.js';
import { startWorker } from '../src/runtime/worker-process.js';
import type { ProjectorRunner } from '../src/projections/engine/runner.js';
import { createToolkit } from '../src/investigation/toolkit.js';
import { maxDeliveriesStream } from '../src/nats/max-deliveries.js';
import { waitFor } from '../src/events/event-store.contract.js';
import { labelsFingerprint } from '../src/ingest/alertmanager-payload.js';
import type { Config } from '../src/shared/config.js';
import type { InvestigationEnrichment } from '../src/contract/enrichment.js';
import { redactionCorpus } from '../src/llm/redaction-corpus.js';
import {
  startFakeAnthropic,
  startFakeGemini,
  startFakeOpenAi,
  type FakeLlm,
  type RecordedRequest,
} from '../src/testkit/fake-llm/index.js';
import { testContext } from './support/context.js';
import { alertmanagerFixtures } from './fixtures.js';

// Done-when of the LLM issue, end to end through the real NATS JetStream and the worker: with
// LLM_ENABLED against each fake provider an investigated case gets an InvestigationEnriched event
// with cited claims and a cost; with the provider down the investigation still completes and the
// case says why the narrative is missing; no corpus secret reaches a provider.

type Ctx = Awaited<ReturnType<typeof testContext>>;

const secrets = redactionCorpus.flatMap((c) => c.secrets);

/** An alert whose labels and annotations carry secrets from the redaction corpus. */
function alertGroup() {
  const f = alertmanagerFixtures()[0]!.body;
  const { fingerprint: _fp, ...a } = f.alerts[0]!;
  const labels = {
    ...(a.labels as Record<string, string>),
    run: randomUUID(),
    db_url: 'postgres://orders:Tr0ub4dor&3xyz@db.internal:5432/orders',
    token: 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
  };
  const annotations = {
    description: redactionCorpus
      .map((c) => c.text)
      .join(' | ')
      .slice(0, 4000),
  };
  const fingerprint = labelsFingerprint(labels);
  return { body: { ...f, alerts: [{ ...a, fingerprint, labels, annotations }] }, fingerprint };
}

/** A well-behaved model: cites the first evidence id it was given. */
const answerCiting = (req: RecordedRequest) => {
  const id = /\\"id\\": \\"([^\\"]+)\\"/.exec(req.raw)?.[1] ?? 'none';
  return {
    text: {
      summary: { text: 'The pod crash-loops after its latest start.', evidence: [id] },
      likelyRootCause: { text: 'The container exits on start-up.', evidence: [id] },
      nextSteps: [{ text: 'Read the previous container logs.', evidence: [id] }],
      unknowns: [{ text: 'Whether a rollout preceded it.', evidence: [] }],
    },
    usage: { input: 3000, output: 400 },
  };
};

describe('LLM enrichment in the worker', () => {
  let ctx: Ctx;
  let app: FastifyInstance;
  let stop: (() => Promise<void>) | undefined;
  let runners: ProjectorRunner[];
  const fakes = {} as Record<'openai' | 'anthropic' | 'gemini', FakeLlm>;

  beforeAll(async () => {
    ctx = await testContext({ JETSTREAM_ACK_WAIT_SECONDS: '5', COLLECTOR_TIMEOUT_SECONDS: '2' });
    app = buildApp(ctx);
    runners = startProjectors(ctx); // the dispatcher turns requests into jobs
    fakes.openai = await startFakeOpenAi();
    fakes.anthropic = await startFakeAnthropic();
    fakes.gemini = await startFakeGemini();
  });
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await app.close();
    await Promise.all(Object.values(fakes).map((f) => f.close()));
    const jsm = await ctx.nc.jetstreamManager();
    await jsm.streams.delete(maxDeliveriesStream(ctx.config.JETSTREAM_STREAM)).catch(() => undefined);
    await ctx.dispose();
  });

  const investigateWith = async (llm: Partial<Config>) => {
    const w = await startWorker({ ...ctx, config: { ...ctx.config, ...llm } }, createToolkit(ctx.config));
    stop = w.stop;
    const { body, fingerprint } = alertGroup();
    expect((await app.inject({ method: 'POST', url: '/alerts', payload: body })).statusCode).toBe(202);
    const types = async () => (await ctx.store.readAggregate(`case.${fingerprint}`)).events;
    await waitFor(async () => (await types()).some((e) => e.type === 'InvestigationEnriched'), 30_000);
    const events = await types();
    return {
      fingerprint,
      types: events.map((e) => e.type),
      enriched: events.find((e) => e.type === 'InvestigationEnriched')!.data as InvestigationEnrichment,
    };
  };

  it.each([
    { provider: 'openai', fake: 'openai', model: 'gpt-4o-mini' },
    { provider: 'anthropic', fake: 'anthropic', model: 'claude-haiku-4-5' },
    { provider: 'google', fake: 'gemini', model: 'gemini-2.5-flash' },
  ] as const)(
    'with $provider: cited claims and a cost, and no secret reached it',
    { timeout: 60_000 },
    async (p) => {
      const fake = fakes[p.fake];
      fake.fallback = answerCiting;
      const before = fake.requests.length;
      const { types, enriched } = await investigateWith({
        LLM_ENABLED: true,
        LLM_PROVIDER: p.provider,
        LLM_MODEL: p.model,
        LLM_BASE_URL: fake.baseUrl,
        LLM_API_KEY: 'fake-provider-key',
      });
      expect(types.indexOf('InvestigationEnriched')).toBeGreaterThan(types.indexOf('InvestigationCompleted'));
      expect(enriched.error).toBeNull();
      expect(enriched).toMatchObject({ provider: p.provider, model: p.model });
      expect(enriched.claims.length).toBe(4);
      expect(enriched.claims.filter((c) => c.section !== 'unknown').every((c) => c.evidence.length > 0)).toBe(
        true,
      );
      expect(enriched.usage).toMatchObject({ inputTokens: 3000, outputTokens: 400 });
      expect(enriched.usage.costUsd).toBeGreaterThan(0);
      expect(enriched.redaction.total).toBeGreaterThan(0);

      const sent = fake.requests.slice(before);
      expect(sent.length).toBe(1);
      for (const s of secrets) expect(sent[0]!.raw, s).not.toContain(s);

      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(
        new RegExp(`tarka_llm_calls_total\\{[^}]*provider="${p.provider}"[^}]*outcome="ok"\\} 1`),
      );
    },
  );

  it(
    'with the provider down: the investigation completes and the case says why the narrative is missing',
    { timeout: 60_000 },
    async () => {
      const gone = await startFakeOpenAi();
      const url = gone.baseUrl;
      await gone.close();
      const { fingerprint, types, enriched } = await investigateWith({
        LLM_ENABLED: true,
        LLM_PROVIDER: 'openai',
        LLM_MODEL: 'gpt-4o-mini',
        LLM_BASE_URL: url,
        LLM_API_KEY: 'fake-provider-key',
        LLM_MAX_RETRIES: 0,
      });
      expect(types).toContain('InvestigationCompleted');
      expect(types).not.toContain('InvestigationFailed');
      expect(enriched.error?.code).toBe('TARKA_LLM_UNAVAILABLE');
      expect(enriched.claims).toEqual([]);
      const detail = (await app.inject(`/api/cases/${fingerprint}`)).json();
      expect(detail.events.some((e: { type: string }) => e.type === 'InvestigationEnriched')).toBe(true);
    },
  );
});
