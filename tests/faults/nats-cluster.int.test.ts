import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropTestResources, testConfig } from '../support/context.js';
import { logCounts, tally, waitForReadModels } from './support/accounting.js';
import { AlertLoad } from './support/load.js';
import { startNatsCluster, type NatsCluster } from './support/nats-cluster.js';
import { Supervisor } from './support/supervisor.js';
import { printFaultTable, trace } from './support/table.js';

// Three nats-server processes clustered on loopback, every stream at R3, one webhook, one
// projector and one worker as real processes from dist/. Under a steady load of Alertmanager
// notifications we SIGKILL the event stream's leader (and start it again on its store), then a
// worker, then the projector. Every alert that got a 202 must end in the read models exactly once,
// with exactly one completed investigation, and no Tarka process may crash on its own.

describe('fault: 3-node NATS JetStream cluster, R3 streams', () => {
  let cluster: NatsCluster;
  const out = mkdtempSync(join(tmpdir(), 'tarka-faults-nats-'));
  let config: ReturnType<typeof testConfig>;
  beforeAll(async () => {
    cluster = await startNatsCluster();
    config = testConfig({
      NATS_URL: cluster.url,
      NATS_REPLICAS: '3',
      // A killed worker's jobs come back after a few seconds instead of two minutes.
      JETSTREAM_ACK_WAIT_SECONDS: '3',
      WORKER_CONCURRENCY: '8',
      WORKER_FETCH_BATCH: '8',
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await dropTestResources(config).catch(() => undefined); // its streams lived on the private cluster
  });

  it(
    "loses and doubles nothing when the stream leader, the worker's NATS node, the consumer leader, a worker and the projector are killed under ingest",
    { timeout: 300_000 },
    async () => {
      const procs = new Supervisor(config, {}, out);
      const serve = await procs.start('serve');
      await procs.start('project');
      await procs.start('worker');
      const load = new AlertLoad({
        urls: [serve.url],
        prefix: 'nc',
        senders: 4,
        alertsPerGroup: 5,
        groupIntervalMs: 500, // about 40 alerts/s, so investigations mostly keep up and completion is checkable
      });
      const faults: string[] = [];
      const t0 = Date.now();
      const step = (m: string) => trace('nats-cluster', t0, `${m} (acknowledged ${load.acked.size})`);
      try {
        load.start();
        await load.waitAcked(100);
        // Faults start once every process is at work (a worker answers /health before its
        // consumer is set up): the first acknowledged alerts have completed investigations.
        const first = [...load.acked].slice(0, 5);
        const warm = await waitForReadModels(config, first, { timeoutMs: 30_000, completed: true });
        expect(
          [...warm.values()].filter((f) => f.completed > 0).length,
          'investigations before any fault',
        ).toBe(5);
        step('processes at work');

        // 1. The event stream's leader dies mid-ingest; the other two elect a new one.
        const leader = await cluster.leaderOf(config.EVENTS_STREAM);
        await cluster.kill(leader);
        faults.push(`SIGKILL event stream leader ${leader}`);
        step(`killed stream leader ${leader}`);
        await load.waitAcked(load.acked.size + 100, 30_000);
        const newLeader = await cluster.leaderOf(config.EVENTS_STREAM);
        expect(newLeader).not.toBe(leader);
        step(`new leader ${newLeader}`);
        await cluster.start(leader);
        await cluster.waitHealthy(config.EVENTS_STREAM, leader, 30_000);
        faults.push(`restart ${leader} on its store (leader now ${newLeader})`);
        step(`restarted ${leader}; it is a current replica again`);

        // 2. The node the worker is connected to dies: the worker must reconnect to another, not exit.
        await procs.check('after the stream leader kill');
        let workerNode: string | undefined;
        for (const until = Date.now() + 10_000; !workerNode && Date.now() < until;) {
          [workerNode] = await cluster.nodesOf('tarka-worker');
          if (!workerNode) await new Promise((r) => setTimeout(r, 200));
        }
        expect(workerNode, 'the worker holds a NATS connection (reconnected within 10 s)').toBeTruthy();
        await cluster.kill(workerNode!);
        faults.push(`SIGKILL NATS node ${workerNode} (the worker's connection)`);
        step(`killed ${workerNode}, the worker's node`);
        await load.waitAcked(load.acked.size + 100, 30_000);
        await cluster.start(workerNode!);
        await cluster.waitHealthy(config.EVENTS_STREAM, workerNode!, 30_000);
        faults.push(`restart ${workerNode} on its store`);
        step(`restarted ${workerNode}`);

        // 3. The node leading the workers' durable consumer dies: workers keep pulling jobs.
        const consumerLeader = await cluster.leaderOf(config.JETSTREAM_STREAM, config.JETSTREAM_DURABLE);
        await cluster.kill(consumerLeader);
        faults.push(`SIGKILL NATS node ${consumerLeader} (leader of the workers' consumer)`);
        step(`killed ${consumerLeader}, the workers' consumer leader`);
        await load.waitAcked(load.acked.size + 100, 30_000);
        await cluster.start(consumerLeader);
        await cluster.waitHealthy(config.EVENTS_STREAM, consumerLeader, 30_000);
        faults.push(`restart ${consumerLeader} on its store`);
        step(`restarted ${consumerLeader}`);

        // 4. A worker dies holding jobs; a new one picks them up after the ack wait.
        await load.waitAcked(load.acked.size + 50, 30_000);
        await procs.killAndRestart('worker');
        faults.push('SIGKILL worker, start a new one');
        step('killed and restarted the worker');

        // 5. The projector dies mid-batch; a new one resumes from the committed checkpoint.
        await load.waitAcked(load.acked.size + 100, 30_000);
        await procs.killAndRestart('project');
        faults.push('SIGKILL projector, start a new one');
        step('killed and restarted the projector');

        await load.waitAcked(load.acked.size + 100, 30_000);
        await load.stop();
        await procs.check('during the run');
        step('load stopped');

        // Investigations trail ingest on a loaded CI machine: wait while they keep completing.
        const facts = await waitForReadModels(config, [...load.acked], {
          timeoutMs: 45_000,
          completed: true,
          whileProgressMs: 20_000,
          maxMs: 150_000,
        });
        await procs.check('while catching up');
        step('read models caught up (or timed out)');
        const log = await logCounts(cluster.url, config);
        const t = tally(load.acked, load.sent.keys(), facts, log, { completed: true });
        printFaultTable(
          {
            scenario: 'nats-cluster',
            faults,
            sent: load.sent.size,
            acknowledged: load.acked.size,
            inReadModels: t.inReadModels,
            lost: t.lost.length,
            duplicated: t.duplicated.length,
            notes: {
              'POSTs answered 202': load.count(202),
              'POSTs answered 503 (retried)': load.count(503),
              'POSTs without an answer (retried)': load.count('error'),
              'investigations not completed': t.incomplete.length,
              'processes that crashed on their own': `${procs.crashes.length}${procs.crashes.length ? ` (full output in ${out})` : ''}`,
              ...Object.fromEntries(procs.crashes.map((c, i) => [`crash ${i + 1}`, c])),
              'start attempts that failed (retried, as a pod would be)': procs.startFailures.length,
              ...Object.fromEntries(procs.startFailures.map((c, i) => [`failed start ${i + 1}`, c])),
              seconds: Math.round((Date.now() - t0) / 1000),
            },
          },
          out,
        );
        const some = (xs: string[]) => xs.slice(0, 5).join(', ');
        expect(load.rejected, 'valid notifications answered 4xx').toEqual([]);
        expect(t.lost.length, `acknowledged alerts missing from the cases read model: ${some(t.lost)}`).toBe(
          0,
        );
        expect(t.duplicated.length, `alerts or investigations recorded twice: ${some(t.duplicated)}`).toBe(0);
        expect(t.incomplete.length, `investigations never completed: ${some(t.incomplete)}`).toBe(0);
        expect(procs.crashes, 'Tarka processes that exited on their own').toEqual([]);
      } catch (e) {
        // Stopped half-way: still print what was injected and acknowledged, for the CI log.
        printFaultTable(
          {
            scenario: 'nats-cluster',
            faults,
            sent: load.sent.size,
            acknowledged: load.acked.size,
            inReadModels: null,
            lost: null,
            duplicated: null,
            notes: {
              'ABORTED (read models not counted)': (e as Error).message.split('\n')[0]!,
              crashes: procs.crashes.join(' | ') || 'none',
            },
          },
          out,
        );
        throw e;
      } finally {
        await load.stop(0);
        await procs.stopAll();
      }
    },
  );
});
