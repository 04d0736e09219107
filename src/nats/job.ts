import { z } from 'zod';

/** A unit of work on the job queue: investigate one case for one InvestigationRequested event. */
export const jobSchema = z.object({
  kind: z.literal('investigate'),
  caseId: z.string().min(1),
  investigationId: z.string().min(1),
  /** Id of the InvestigationRequested event; also the job's Nats-Msg-Id. */
  eventId: z.string().min(1),
  /** Stream sequence of that event, so a worker can wait for the case to include it. */
  requestedSeq: z.number().int().positive(),
  episode: z.number().int().nonnegative(),
  reason: z.enum(['new_episode', 'rerun']),
  anchor: z.iso.datetime({ offset: true }),
  /** A rerun's own evidence window (minutes each side of the anchor); the worker's TIME_WINDOW otherwise. */
  windowMinutes: z.number().int().positive().optional(),
});
export type Job = z.infer<typeof jobSchema>;
