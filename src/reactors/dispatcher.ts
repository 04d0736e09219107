import type { JetStreamClient } from 'nats';
import type { Reactor } from '../projections/engine/projection.js';
import { StoreUnavailable } from '../shared/errors.js';
import type { Job } from '../nats/job.js';
import { caseIdOf } from '../contract/case-id.js';

/**
 * Process manager: turns each InvestigationRequested event into one job on the work queue. Runs as
 * a reactor, so its checkpoint moves only after JetStream acknowledged the batch's jobs (and no
 * Postgres transaction waits on JetStream): a crash re-sends from the checkpoint, and the event id
 * as Nats-Msg-Id makes the re-send a no-op. A set-aside request retried late queues its job late;
 * the worker's events for an investigation the case has moved past leave the case row as it is.
 */
export function dispatcher(js: JetStreamClient, subject: string, stream: string): Reactor {
  return {
    name: 'dispatcher',
    definitionVersion: 1,
    async react(events) {
      const jobs = events.flatMap((e): Job[] =>
        e.type === 'InvestigationRequested'
          ? [
              {
                kind: 'investigate',
                caseId: caseIdOf(e.aggregate),
                investigationId: e.data.investigationId,
                eventId: e.id,
                requestedSeq: e.seq,
                episode: e.data.episode,
                reason: e.data.reason,
                anchor: e.data.anchor,
                ...(e.data.windowMinutes ? { windowMinutes: e.data.windowMinutes } : {}),
              },
            ]
          : [],
      );
      try {
        await Promise.all(
          jobs.map((job) =>
            js.publish(subject, JSON.stringify(job), {
              msgID: job.eventId,
              expect: { streamName: stream },
              timeout: 5000,
            }),
          ),
        );
      } catch (e) {
        throw new StoreUnavailable(`could not queue investigation jobs: ${(e as Error).message}`, {
          cause: e,
        });
      }
    },
  };
}
