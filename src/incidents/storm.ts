// A storm from one bad rollout, as Alertmanager sends it: pods of one Deployment at one template
// revision firing crash-loop, not-ready and target-down alerts. Used by the storm test and the bench.

export interface StormAlert {
  status: 'firing';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';
const podSuffix = (i: number) =>
  Array.from({ length: 5 }, (_, k) => SUFFIX[Math.floor(i / SUFFIX.length ** k) % SUFFIX.length]).join('');

export function rolloutStorm(o: {
  size: number;
  namespace: string;
  deployment: string;
  revision?: string;
  startsAt: string;
  run: string;
}): StormAlert[] {
  const revision = o.revision ?? '7c9f8d6b5';
  const kinds = ['KubePodCrashLooping', 'KubePodNotReady', 'TargetDown'];
  return Array.from({ length: o.size }, (_, i) => {
    const pod = `${o.deployment}-${revision}-${podSuffix(i)}`;
    return {
      status: 'firing',
      labels: {
        alertname: kinds[i % kinds.length]!,
        namespace: o.namespace,
        pod,
        container: o.deployment,
        severity: 'warning',
        run: o.run,
      },
      annotations: { summary: `Pod ${o.namespace}/${pod} is unhealthy.` },
      startsAt: o.startsAt,
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph',
    };
  });
}
