import { describe, expect, it } from 'vitest';
import { makeAlert } from '../testkit/analysis/scenario.js';
import {
  cronJobOf,
  resolveTarget,
  subjectLabels,
  workloadFromLabels,
  workloadFromPodName,
} from './target.js';

describe('workload derivation', () => {
  it.each([
    ['api-7d9f8b6c5-x2k4q', { kind: 'Deployment', name: 'api' }],
    ['payments-api-6b7c9d8f45-zq2wx', { kind: 'Deployment', name: 'payments-api' }],
    ['indexer-0', { kind: 'StatefulSet', name: 'indexer' }],
    ['kafka-broker-12', { kind: 'StatefulSet', name: 'kafka-broker' }],
    ['nightly-reconcile-28911540-x7k2p', { kind: 'Job', name: 'nightly-reconcile-28911540' }],
    // DaemonSet and Job pods look alike: no guess.
    ['node-exporter-x2k4q', null],
  ])('%s → %j', (podName, expected) => {
    const w = workloadFromPodName(podName);
    expect(w ? { kind: w.kind, name: w.name } : null).toEqual(expected);
  });

  it('prefers explicit labels; job_name is the Job, job is the scrape job', () => {
    expect(
      workloadFromLabels({ job: 'kube-state-metrics', job_name: 'backup-1', namespace: 'x' }),
    ).toMatchObject({ kind: 'Job', name: 'backup-1', source: 'label' });
    expect(workloadFromLabels({ deployment: 'web', pod: 'indexer-0' })).toMatchObject({
      kind: 'Deployment',
      name: 'web',
    });
    expect(workloadFromLabels({ replicaset: 'web-6b7c9d8f45' })).toMatchObject({
      kind: 'Deployment',
      name: 'web',
    });
    expect(workloadFromLabels({ service: 'web', namespace: 'x' })).toBeNull();
    expect(workloadFromLabels({ service: 'web', namespace: 'x' }, { guessFromService: true })).toMatchObject({
      source: 'service-name',
    });
  });

  it('finds the CronJob of a scheduled Job', () => {
    expect(cronJobOf('nightly-reconcile-28911540')).toBe('nightly-reconcile');
    expect(cronJobOf('one-off-migration')).toBeNull();
  });

  it('drops pod/container labels that belong to kube-state-metrics itself', () => {
    const l = subjectLabels({
      pod: 'kube-state-metrics-5d8b9c7f6-abcde',
      container: 'kube-state-metrics',
      deployment: 'web',
    });
    expect(l).toEqual({ deployment: 'web' });
  });
});

describe('resolveTarget', () => {
  it('reads team and environment from alert labels', () => {
    const t = resolveTarget(
      makeAlert({ alertname: 'X', namespace: 'a', pod: 'web-0', squad: 'growth', env: 'prod' }),
      'crashloop',
      [],
      { podSubject: true, nodeSubject: false },
    );
    expect(t).toMatchObject({ kind: 'pod', display: 'a/web-0 (StatefulSet a/web)' });
    expect(t.team).toEqual({ value: 'growth', source: 'alert label squad' });
    expect(t.environment).toEqual({ value: 'prod', source: 'alert label env' });
  });

  it('falls back to the cluster when nothing narrower is known', () => {
    const t = resolveTarget(
      makeAlert({ alertname: 'KubeMemoryOvercommit', cluster: 'prod-eu-1' }),
      'memory_pressure',
      [],
      { podSubject: true, nodeSubject: false },
    );
    expect(t).toMatchObject({ kind: 'cluster', display: 'Cluster prod-eu-1' });
  });
});

describe('host alerts', () => {
  it('targets the host of a node-exporter memory alert, not its scrape job', () => {
    const t = resolveTarget(
      makeAlert({ alertname: 'NodeMemoryHighUtilization', instance: '10.0.0.7:9100', job: 'node-exporter' }),
      'memory_pressure',
      [],
      { podSubject: true, nodeSubject: true },
    );
    expect(t).toMatchObject({ kind: 'node', display: 'Node 10.0.0.7:9100' });
  });
});
