// A Kubernetes Job that failed or did not complete in time.

import { jobCounts, workload } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { q } from '../queries.js';
import { cap, plural } from '../text.js';
import type { FamilyModule, H } from './types.js';

export const jobFailed: FamilyModule = {
  family: 'job_failed',
  label: 'Job failure',
  impact: [8, 'batch work did not complete'],
  alertNames: {
    KubeJobFailed: 'failed',
    KubeJobNotCompleted: 'not_completed',
    KubeJobCompletion: 'not_completed',
  },
  namePatterns: [{ re: /(cron)?job.*(fail|error|not.?complet)/i, sub: null, order: 90 }],
  exprPatterns: [
    {
      re: /kube_job_(status_)?failed|kube_job_status_active|kube_job_spec_completions/,
      sub: null,
      order: 80,
    },
  ],
  workloadObject: true,
  workloadEvents: true,
  plan: (p) => {
    const ns = p.labels.namespace;
    if (ns && p.workload?.kind === 'Job') {
      p.range(
        EV.jobStatus,
        `Failed/succeeded/active pods of Job ${ns}/${p.workload.name}`,
        q.jobStatus(ns, p.workload.name),
      );
    }
  },
  primary: { series: EV.jobStatus, object: EV.workload },
  symptoms: [EV.jobStatus],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const w = workload(ctx.evidence);
    const counts = jobCounts(ctx.evidence);
    const failedCond = w?.value.conditions.find((c) => c.type === 'Failed' && c.status === 'True');
    const failed = w?.value.failed ?? counts?.value.failed ?? null;
    if (failedCond) {
      const deadline = failedCond.reason === 'DeadlineExceeded';
      out.push(
        hypothesis(
          ctx,
          deadline ? 'job.deadline' : 'job.backoff',
          deadline
            ? 'Job exceeded activeDeadlineSeconds and was stopped'
            : `Job gave up after ${failed ?? 'several'} failed pods (${failedCond.reason ?? 'Failed'})`,
          deadline ? 75 : 70,
          `${failedCond.message ? `"${cap(failedCond.message, 200)}". ` : ''}${deadline ? 'The work took longer than allowed: slow dependency, more data, or a hang.' : 'Each pod failed; the pod logs say why (see log findings).'}`,
          [w?.item, counts?.item],
        ),
      );
    } else if (counts && (counts.value.failed ?? 0) > 0) {
      out.push(
        hypothesis(
          ctx,
          'job.backoff',
          `Job has ${plural(counts.value.failed ?? 0, 'failed pod')}`,
          60,
          'Pods of the Job exited with errors; the pod logs say why.',
          [counts.item],
        ),
      );
    }
    if (ctx.family.subReason === 'not_completed' && counts && (counts.value.active ?? 0) > 0) {
      out.push(
        hypothesis(
          ctx,
          'job.running_long',
          `Job still running with ${counts.value.active} active pods`,
          55,
          'The Job has not finished in its expected time: it may be stuck on a lock or dependency, or the data volume grew.',
          [counts.item],
        ),
      );
    }
    return out;
  },
  promqlSteps: ({ ctx, labels, step }) => {
    const w = ctx.target.workload;
    return labels.namespace && w?.kind === 'Job'
      ? [
          step(
            'promql',
            'Job pod counts',
            q.jobStatus(labels.namespace, w.name),
            'How many pods failed, succeeded, are active.',
          ),
        ]
      : [];
  },
};
