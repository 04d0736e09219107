// Anything no other family claims, including node-level alerts (filesystems, disk and PID
// pressure, clocks) as node_* sub-kinds.

import { alertActivity, ownSeries } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { view } from '../view.js';
import {
  exitCodeHypothesis,
  isNodeSub,
  nodeHypotheses,
  nodeSteps,
  planContainerState,
  planNode,
} from './shared.js';
import type { FamilyModule, H } from './types.js';

const snake = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

export const generic: FamilyModule = {
  family: 'generic',
  label: 'Alert',
  impact: [0, 'no family-specific impact known'],
  matchAlert: (name, labels) =>
    name === 'KubeNodePressure'
      ? `node_${labels.condition ? snake(labels.condition) : 'pressure'}`
      : undefined,
  alertNames: {
    NodeFilesystemSpaceFillingUp: 'node_filesystem',
    NodeFilesystemAlmostOutOfSpace: 'node_filesystem',
    NodeFilesystemFilesFillingUp: 'node_filesystem_inodes',
    NodeFilesystemAlmostOutOfFiles: 'node_filesystem_inodes',
    NodeFileDescriptorLimit: 'node_file_descriptors',
    NodeClockNotSynchronising: 'node_clock',
    NodeClockSkewDetected: 'node_clock',
  },
  namePatterns: [{ re: /node|disk|filesystem|kubelet|inode/i, sub: 'node', order: 110 }],
  exprPatterns: [
    { re: /kube_node_status_condition|kube_node_spec_taint|node_filesystem_/, sub: 'node', order: 100 },
  ],
  podLevel: true,
  podSubject: true,
  workloadObject: true,
  previousLogs: true,
  previousLogsStep: true,
  nodeObject: isNodeSub,
  noAppLogs: isNodeSub,
  nodeSubject: isNodeSub,
  plan: (p) => {
    planContainerState(p);
    if (isNodeSub(p.sub)) planNode(p);
  },
  hypotheses: (ctx) => {
    if (isNodeSub(ctx.family.subReason)) return nodeHypotheses(ctx);
    const act = alertActivity(ctx.evidence, ctx.window, ctx.alert.labels);
    const expr = view.range(ctx.evidence, EV.alertExpr);
    const out: H[] = [exitCodeHypothesis(ctx)];
    if (act && expr) {
      const latest = ownSeries(expr.data.series, ctx.alert.labels).flatMap((s) =>
        s.points.slice(-1).map(([, v]) => v),
      );
      out.push(
        hypothesis(
          ctx,
          'generic.condition',
          `The alert condition held for ${Math.round(act.value.firingMinutes)} min in the window${latest.length ? ` (latest value ${latest[0]!.toPrecision(3)})` : ''}`,
          30,
          'No family-specific checks apply to this alert; the rule expression confirms the condition but not its cause.',
          [expr.item],
        ),
      );
    }
    return out;
  },
  promqlSteps: (s) => (isNodeSub(s.ctx.family.subReason) ? nodeSteps(s) : []),
};
