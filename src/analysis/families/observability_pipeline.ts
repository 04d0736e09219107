// The monitoring pipeline itself: Prometheus rule evaluation, remote write, scraping and service
// discovery, notification of Alertmanager, Alertmanager's delivery to receivers, agents and
// collectors. When it breaks, other alerts are late, missing or wrong.

import { selector } from '../../collectors/promql.js';
import { rangeStats } from '../facts.js';
import { hypothesis } from '../claim.js';
import { EV } from '../ids.js';
import { pct, plural } from '../text.js';
import { view } from '../view.js';
import type { FamilyModule, H } from './types.js';

const PIPELINE =
  /^(prometheus|alertmanager|thanos|loki|promtail|mimir|cortex|vmagent|victoriametrics|otel|opentelemetry|fluent|grafana.?agent|alloy|configreloader)/i;

/** Sub-kind from the alert name's words. */
export function pipelineSub(name: string): string | null {
  if (/remote.?(write|storage)/i.test(name)) return 'remote_write';
  if (/rule/i.test(name)) return 'rule_evaluation';
  if (/^alertmanager.*(send|notif|deliver)|alertmanager.*failed.?to.?send/i.test(name))
    return 'alertmanager_delivery';
  if (/notif|sending.?alerts|alertmanagers?\b|connected.?to.?alertmanager/i.test(name))
    return 'notifications';
  if (/tsdb|compaction|wal/i.test(name)) return 'tsdb';
  if (/reload|config/i.test(name)) return 'config_reload';
  if (/scrape|target|sd|discovery|limit|timestamps|ingest/i.test(name)) return 'scrape';
  if (/cluster|members/i.test(name)) return 'alertmanager_cluster';
  return null;
}

// Labels that identify the Prometheus/Alertmanager instance that raised the alert.
function self(labels: Record<string, string>): Record<string, string> {
  const m: Record<string, string> = {};
  for (const k of ['namespace', 'job', 'pod'] as const) if (labels[k]) m[k] = labels[k];
  return m;
}

export const pq = {
  remoteFailed: (m: Record<string, string>) =>
    `sum by (remote_name, url) (rate(prometheus_remote_storage_samples_failed_total${selector(m)}[5m]))`,
  remoteLag: (m: Record<string, string>) =>
    `max by (remote_name, url) (prometheus_remote_storage_highest_timestamp_in_seconds${selector(self(m))} - ignoring (remote_name, url) group_right prometheus_remote_storage_queue_highest_sent_timestamp_seconds${selector(m)})`,
  ruleFailures: (m: Record<string, string>) =>
    `sum by (rule_group) (increase(prometheus_rule_evaluation_failures_total${selector(m)}[5m]))`,
  notificationErrors: (m: Record<string, string>) =>
    `sum by (alertmanager) (rate(prometheus_notifications_errors_total${selector(m)}[5m]))`,
  deliveryFailures: (m: Record<string, string>) =>
    `sum by (integration) (rate(alertmanager_notifications_failed_total${selector(m)}[5m]))`,
};

const ALERT_NAMES: Record<string, string | null> = Object.fromEntries(
  [
    'PrometheusBadConfig',
    'PrometheusNotificationQueueRunningFull',
    'PrometheusErrorSendingAlertsToSomeAlertmanagers',
    'PrometheusErrorSendingAlertsToAnyAlertmanager',
    'PrometheusNotConnectedToAlertmanagers',
    'PrometheusTSDBReloadsFailing',
    'PrometheusTSDBCompactionsFailing',
    'PrometheusNotIngestingSamples',
    'PrometheusDuplicateTimestamps',
    'PrometheusOutOfOrderTimestamps',
    'PrometheusRemoteStorageFailures',
    'PrometheusRemoteWriteBehind',
    'PrometheusRemoteWriteDesiredShards',
    'PrometheusRuleFailures',
    'PrometheusMissingRuleEvaluations',
    'PrometheusTargetLimitHit',
    'PrometheusLabelLimitHit',
    'PrometheusScrapeBodySizeLimitHit',
    'PrometheusScrapeSampleLimitHit',
    'PrometheusTargetSyncFailure',
    'PrometheusSDRefreshFailure',
    'PrometheusKubernetesListWatchFailures',
    'PrometheusHighQueryLoad',
    'AlertmanagerFailedReload',
    'AlertmanagerMembersInconsistent',
    'AlertmanagerFailedToSendAlerts',
    'AlertmanagerClusterFailedToSendAlerts',
    'AlertmanagerConfigInconsistent',
    'AlertmanagerClusterDown',
    'AlertmanagerClusterCrashlooping',
    'ConfigReloaderSidecarErrors',
  ].map((n) => [n, pipelineSub(n)]),
);

/** Series of a range answer whose last value is above zero, worst first. */
function hot(ev: Parameters<typeof view.range>[0], id: string, label: string) {
  const r = view.range(ev, id);
  if (!r) return null;
  const rows = r.data.series
    .map((s) => ({ name: s.labels[label] ?? '?', last: s.points[s.points.length - 1]?.[1] ?? 0 }))
    .filter((x) => x.last > 0)
    .sort((a, b) => b.last - a.last);
  return rows.length ? { rows, item: r.item } : null;
}

export const observabilityPipeline: FamilyModule = {
  family: 'observability_pipeline',
  label: 'Observability pipeline',
  impact: [15, 'alerting or metrics are degraded: other alerts may be late, missing or wrong'],
  alertNames: ALERT_NAMES,
  namePatterns: [
    { re: PIPELINE, sub: null, order: 5 },
    {
      re: /remote.?write|scrape.?(fail|error|limit)|rule.?(eval|fail)|notification.?(fail|queue)/i,
      sub: null,
      order: 6,
    },
  ],
  exprPatterns: [
    {
      re: /prometheus_remote_storage_|prometheus_rule_evaluation_failures|prometheus_notifications_|alertmanager_notifications_failed|prometheus_tsdb_|prometheus_sd_|prometheus_target_|_config_last_reload_successful/,
      sub: null,
      order: 5,
    },
  ],
  plan: (p) => {
    const sub = p.sub ?? pipelineSub(p.alert.labels.alertname ?? '');
    const m = self(p.labels);
    const who = Object.values(m).join('/') || 'the pipeline';
    if (sub === 'remote_write' || sub === null) {
      const rm = { ...m, ...(p.labels.remote_name ? { remote_name: p.labels.remote_name } : {}) };
      p.range(EV.pipelineFailures, `Remote write samples failing per second (${who})`, pq.remoteFailed(rm));
      p.range(EV.pipelineLag, `Remote write lag in seconds (${who})`, pq.remoteLag(rm));
    }
    if (sub === 'rule_evaluation' || sub === null)
      p.range(EV.pipelineRules, `Rule evaluation failures by group (${who})`, pq.ruleFailures(m));
    if (sub === 'notifications' || sub === null)
      p.range(EV.pipelineNotify, `Errors sending alerts to Alertmanager (${who})`, pq.notificationErrors(m));
    if (sub === 'alertmanager_delivery' || sub === null)
      p.range(
        EV.pipelineDelivery,
        `Alertmanager notifications failing by integration (${who})`,
        pq.deliveryFailures(m),
      );
  },
  symptoms: [EV.pipelineFailures, EV.pipelineLag, EV.pipelineRules, EV.pipelineNotify, EV.pipelineDelivery],
  hypotheses: (ctx) => {
    const out: H[] = [];
    const failed = hot(ctx.evidence, EV.pipelineFailures, 'url');
    const lag = rangeStats(ctx.evidence, EV.pipelineLag);
    if (failed) {
      const top = failed.rows[0]!;
      out.push(
        hypothesis(
          ctx,
          'pipeline.remote_write_failing',
          `Remote write endpoint rejects or drops samples: ${top.last.toPrecision(3)} samples/s fail to ${top.name}`,
          80,
          `Samples fail to send${lag ? ` and the queue is ${Math.round(lag.value.latest)} s behind (peak ${Math.round(lag.value.peak)} s)` : ''}. The receiver answers errors (4xx: rejected samples, 429: rate limited, 5xx: receiver down) or cannot be reached; Prometheus' logs name the status.`,
          [failed.item, lag?.item],
        ),
      );
    } else if (lag && lag.value.latest > 120) {
      out.push(
        hypothesis(
          ctx,
          'pipeline.remote_write_slow',
          `Remote write ${Math.round(lag.value.latest)} s behind without failed samples: throughput too low`,
          70,
          'Nothing fails, so the queue cannot keep up: too few shards for the sample rate, a slow receiver, or network latency. Compare desired and current shards.',
          [lag.item],
        ),
      );
    }
    const rules = hot(ctx.evidence, EV.pipelineRules, 'rule_group');
    if (rules) {
      out.push(
        hypothesis(
          ctx,
          'pipeline.rule_failures',
          `Rule evaluation fails in ${plural(rules.rows.length, 'group')}: ${rules.rows
            .slice(0, 3)
            .map((r) => r.name)
            .join(', ')}`,
          75,
          'Rules in these groups error on every evaluation (bad query, many-to-many matches, timeouts, sample limit), so their alerts and recording rules produce nothing: alerts that should fire stay silent. Prometheus logs the failing rule and the error.',
          [rules.item],
        ),
      );
    }
    const notify = hot(ctx.evidence, EV.pipelineNotify, 'alertmanager');
    if (notify) {
      out.push(
        hypothesis(
          ctx,
          'pipeline.notify_failing',
          `Prometheus cannot send alerts to ${notify.rows[0]!.name}`,
          78,
          'Alerts evaluate but do not reach Alertmanager: it is down, unreachable, or rejects the payload. Nobody gets paged meanwhile.',
          [notify.item],
        ),
      );
    }
    const delivery = hot(ctx.evidence, EV.pipelineDelivery, 'integration');
    if (delivery) {
      const r = view.range(ctx.evidence, EV.pipelineDelivery);
      const total = r ? r.data.series.length : 0;
      out.push(
        hypothesis(
          ctx,
          'pipeline.delivery_failing',
          `Alertmanager fails to deliver via ${delivery.rows.map((d) => d.name).join(', ')}`,
          80,
          `${delivery.rows[0]!.last.toPrecision(3)} notifications/s fail${total > delivery.rows.length ? ` (${pct(delivery.rows.length / total)} of integrations)` : ''}: the receiver (webhook, Slack, PagerDuty, email) rejects them, its credentials expired, or it is unreachable. Alerts fire but nobody is told.`,
          [delivery.item],
        ),
      );
    }
    return out;
  },
  promqlSteps: ({ labels, step }) => {
    const m = self(labels);
    const sub = pipelineSub(labels.alertname ?? '');
    if (sub === 'remote_write')
      return [
        step('promql', 'Failed remote write samples', pq.remoteFailed(m), 'Which endpoint rejects samples.'),
        step('promql', 'Remote write lag (s)', pq.remoteLag(m), 'How far behind the queue is.'),
      ];
    if (sub === 'rule_evaluation')
      return [step('promql', 'Rule evaluation failures by group', pq.ruleFailures(m), 'Which groups fail.')];
    if (sub === 'alertmanager_delivery')
      return [
        step(
          'promql',
          'Failed notifications by integration',
          pq.deliveryFailures(m),
          'Which receiver fails.',
        ),
      ];
    if (sub === 'notifications')
      return [
        step(
          'promql',
          'Errors sending to Alertmanager',
          pq.notificationErrors(m),
          'Which Alertmanager fails.',
        ),
      ];
    return [];
  },
};
