// Change correlation: rollouts (workload revisions) inside the window, with their images and
// whether they came before the alert. "What changed?" is the first question on any page.

import type { EvidenceItem } from '../collectors/evidence.js';
import type { AlertInput, Window } from './alert.js';
import { EV } from './ids.js';
import type { Change, Changes } from '../contract/report.js';
import { oneLine, take } from './text.js';
import { byId, view } from './view.js';

export function changeCorrelation(
  alert: AlertInput,
  window: Window,
  evidence: readonly EvidenceItem[],
): Changes {
  const item = byId(evidence, EV.workload) ?? evidence.find((e) => e.kind === 'workload');
  if (!item) {
    return {
      known: false,
      reason: 'no workload could be derived from the alert labels, so rollouts were not checked',
      items: [],
    };
  }
  const found = view.workload(evidence, EV.workload);
  if (!found) {
    const why =
      item.status === 'empty'
        ? `${item.error ? oneLine(item.error, 120) : `${oneLine(item.title, 120)} was not found`}, so there is no rollout history`
        : `${oneLine(item.title, 120)} is ${item.status}${item.error ? ` (${oneLine(item.error, 100)})` : ''}, so rollouts are unknown`;
    return { known: false, reason: why, items: [] };
  }

  const w = found.data;
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  const alertStart = Date.parse(alert.startsAt);
  const items: Change[] = [];
  // A Job's own creation is not a rollout, and neither is a CronJob starting its next Job: only
  // a CronJob whose new Job runs different images than the one before reflects a changed spec.
  if (w.kind === 'Job') {
    return { known: true, reason: 'a Job has no rollouts: its creation is the run itself', items: [] };
  }
  // Revisions are newest first; each one's predecessor tells what it replaced.
  w.revisions.forEach((rev, i) => {
    const at = Date.parse(rev.createdAt);
    if (Number.isNaN(at) || at < start || at > end) return;
    const before = w.revisions[i + 1]?.images ?? [];
    if (w.kind === 'CronJob' && (!w.revisions[i + 1] || before.join('\n') === rev.images.join('\n'))) return;
    items.push({
      workload: oneLine(`${w.kind} ${w.namespace}/${w.name}`, 300),
      revision: oneLine(rev.revision, 60),
      at: oneLine(rev.createdAt, 40),
      imagesBefore: take(before, 3).map((x) => oneLine(x, 200)),
      imagesAfter: take(rev.images, 3).map((x) => oneLine(x, 200)),
      imageChanged: before.join('\n') !== rev.images.join('\n'),
      precedesAlert: at <= alertStart,
      minutesBeforeAlert: Math.round((alertStart - at) / 60_000),
      evidenceId: found.item.id,
    });
  });
  return {
    known: true,
    reason: items.length ? null : 'no rollout of the workload inside the window',
    items: take(items, 6),
  };
}
