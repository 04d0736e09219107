import type { EventStore } from '../events/event-store.js';
import { caseAggregate } from '../contract/case-id.js';
import type { AlertInput } from '../investigation/investigate.js';
import type { Job } from '../nats/job.js';

/** The alert an investigation is about: the AlertFired of the job's episode, read from the log. */
export async function alertForJob(store: EventStore, job: Job): Promise<AlertInput | null> {
  const { events } = await store.readAggregate(caseAggregate(job.caseId));
  const fired = events.flatMap((e) => (e.type === 'AlertFired' ? [e.data] : []));
  const episode = fired.find((d) => d.episode === job.episode) ?? fired.at(-1);
  if (!episode) return null;
  return {
    fingerprint: episode.fingerprint,
    labels: episode.labels,
    annotations: episode.annotations,
    startsAt: episode.startsAt,
    generatorURL: episode.generatorURL,
  };
}
