// Copy-ready next steps: PromQL first (cheap, read-only, historical), then kubectl. PromQL values
// go through selector(); kubectl arguments are single-quoted and passed as `--flag='value'` or
// `'kind/name'` so a hostile label can neither break out of quoting nor pose as a flag.

import { alertExpression } from './alert.js';
import type { Ctx } from './hypotheses.js';
import { familyModule } from './families/registry.js';
import type { ContainerScope } from './queries.js';
import type { Hypothesis, NextStep } from '../contract/report.js';
import { fieldSelectorValue, isKubernetesName, shellFlag, shellQuote } from './shell.js';
import { subjectLabels } from './target.js';
import { cap, oneLine } from './text.js';

function range(ctx: Ctx): string {
  const minutes = Math.max(
    5,
    Math.round((Date.parse(ctx.window.end) - Date.parse(ctx.window.start)) / 60_000),
  );
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

const step = (kind: NextStep['kind'], title: string, command: string, why: string): NextStep => ({
  kind,
  title: oneLine(title, 200),
  command: cap(command, 1500),
  why: oneLine(why, 300),
});

function promqlSteps(ctx: Ctx): NextStep[] {
  const out: NextStep[] = [];
  const labels = subjectLabels(ctx.alert.labels);
  const family = ctx.family.family;
  const ns = labels.namespace;
  const r = range(ctx);
  const expr = alertExpression(ctx.alert.generatorURL);
  if (expr && family !== 'meta')
    out.push(
      step(
        'promql',
        'Re-run the alert rule',
        expr,
        'See whether the condition still holds and for which series.',
      ),
    );

  const c: ContainerScope | null =
    ns && labels.pod ? { namespace: ns, pod: labels.pod, container: labels.container } : null;
  const scrape: Record<string, string> = {};
  for (const k of ['namespace', 'job', 'service'] as const) if (labels[k]) scrape[k] = labels[k];
  const mod = familyModule(family);
  out.push(...(mod.promqlSteps?.({ ctx, labels, c: mod.podSubject ? c : null, scrape, r, step }) ?? []));
  return out;
}

function kubectlSteps(ctx: Ctx, top: Hypothesis | undefined): NextStep[] {
  const out: NextStep[] = [];
  const t = ctx.target;
  const ns = t.namespace;
  const nsFlag = ns ? `${shellFlag('--namespace', ns)} ` : '';
  // Quoting keeps odd values harmless; the note tells the reader the command will likely miss.
  const names = [ns, t.pod, t.container, t.workload?.name ?? null, t.node, t.service];
  const note = names.some((v) => v !== null && !isKubernetesName(v))
    ? ' Note: a label value is not a valid Kubernetes name; check the alert labels.'
    : '';

  if (t.pod && ns) {
    out.push(
      step(
        'kubectl',
        'Describe the pod',
        `kubectl ${nsFlag}describe ${shellQuote(`pod/${t.pod}`)}`,
        `Container states, last termination, probe settings and recent events.`,
      ),
    );
    if (familyModule(ctx.family.family).previousLogsStep) {
      const cont = t.container ? ` ${shellFlag('--container', t.container)}` : ' --all-containers';
      out.push(
        step(
          'kubectl',
          'Logs of the previous (crashed) container',
          `kubectl ${nsFlag}logs ${shellQuote(`pod/${t.pod}`)}${cont} --previous --tail=200`,
          'The last words before the crash.',
        ),
      );
    }
    out.push(
      step(
        'kubectl',
        'Events for the pod',
        `kubectl ${nsFlag}get events ${shellFlag('--field-selector', `involvedObject.name=${fieldSelectorValue(t.pod)}`)} --sort-by=.lastTimestamp`,
        'Scheduling, image pulls, probe failures, kills.',
      ),
    );
  }
  const w = t.workload;
  if (w && ns) {
    const ref = shellQuote(`${w.kind.toLowerCase()}/${w.name}`);
    if (w.kind === 'Job') {
      out.push(
        step(
          'kubectl',
          'Describe the Job',
          `kubectl ${nsFlag}describe ${ref}`,
          `Conditions (BackoffLimitExceeded, DeadlineExceeded) and pod history.`,
        ),
      );
      out.push(
        step(
          'kubectl',
          'Logs of the Job’s pods',
          `kubectl ${nsFlag}logs ${ref} --all-containers --tail=200`,
          'Why its pods failed.',
        ),
      );
    } else if (w.kind !== 'CronJob' && w.kind !== 'ReplicaSet') {
      out.push(
        step(
          'kubectl',
          `Rollout history of ${w.kind} ${w.name}`,
          `kubectl ${nsFlag}rollout history ${ref}`,
          `When it last changed.`,
        ),
      );
      out.push(
        step(
          'kubectl',
          `Rollout status of ${w.kind} ${w.name}`,
          `kubectl ${nsFlag}rollout status ${ref} --timeout=10s`,
          'Whether a rollout is in progress or stuck.',
        ),
      );
      if (top?.id === 'change.rollout') {
        out.push(
          step(
            'kubectl',
            'If the rollout is confirmed as the cause: roll back',
            `kubectl ${nsFlag}rollout undo ${ref}`,
            'Restores the previous revision; confirm with the owning team first.',
          ),
        );
      }
    }
  }
  if (t.kind === 'node' && t.node) {
    out.push(
      step(
        'kubectl',
        'Describe the node',
        `kubectl describe ${shellQuote(`node/${t.node}`)}`,
        `Conditions, taints, allocated resources and events.`,
      ),
    );
    out.push(
      step(
        'kubectl',
        'Pods on the node',
        `kubectl get pods --all-namespaces ${shellFlag('--field-selector', `spec.nodeName=${fieldSelectorValue(t.node)}`)} -o wide`,
        'What runs there and is affected.',
      ),
    );
  }
  if (t.kind === 'service' && ns && t.service) {
    out.push(
      step(
        'kubectl',
        'Endpoints behind the service',
        `kubectl ${nsFlag}get endpointslices ${shellFlag('--selector', `kubernetes.io/service-name=${t.service}`)} -o wide`,
        `Which backends are ready.`,
      ),
    );
  }
  return note ? out.map((s) => ({ ...s, why: oneLine(`${s.why}${note}`, 300) })) : out;
}

export function nextSteps(ctx: Ctx, hypotheses: readonly Hypothesis[]): NextStep[] {
  if (ctx.family.family === 'meta') return [];
  return [...promqlSteps(ctx), ...kubectlSteps(ctx, hypotheses[0])].slice(0, 14);
}
