import type { ContainerLogs, FakeKubernetes, KubeObject } from './fake-kubernetes.js';

// A small cluster in its JSON wire form: a Deployment "api" in namespace shop whose newest
// rollout crash-loops (OOMKilled), a CronJob whose last job failed, a StatefulSet with history,
// and a cordoned node under memory pressure.

export const T0 = Date.parse('2026-03-01T12:00:00Z');
export const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: 'shop',
  uid: `uid-${name}`,
  resourceVersion: '100',
  creationTimestamp: at(-600),
  ...extra,
});

const owner = (kind: string, name: string, apiVersion: string) => ({
  apiVersion,
  kind,
  name,
  uid: `uid-${name}`,
  controller: true,
  blockOwnerDeletion: true,
});

const template = (labels: Record<string, string>, images: Record<string, string>) => ({
  metadata: { labels },
  spec: { containers: Object.entries(images).map(([name, image]) => ({ name, image, resources: {} })) },
});

export function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta('api', {
      labels: { app: 'api' },
      annotations: { 'deployment.kubernetes.io/revision': '7' },
      generation: 7,
    }),
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: template(
        { app: 'api' },
        { api: 'registry.example.com/shop/api:1.4.2', 'log-shipper': 'fluent-bit:3.0' },
      ),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      progressDeadlineSeconds: 600,
    },
    status: {
      observedGeneration: 7,
      replicas: 4,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      unavailableReplicas: 2,
      conditions: [
        {
          type: 'Available',
          status: 'False',
          lastUpdateTime: at(-20),
          lastTransitionTime: at(-20),
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'False',
          lastUpdateTime: at(-5),
          lastTransitionTime: at(-5),
          reason: 'ProgressDeadlineExceeded',
          message: 'ReplicaSet "api-7d9f" has timed out progressing.',
        },
      ],
    },
  };
}

/** Seven rollouts of api (revision 1..7), plus a look-alike owned by another Deployment. */
export function replicaSets(): KubeObject[] {
  const out: KubeObject[] = [];
  const names = ['api-1a1a', 'api-2b2b', 'api-3c3c', 'api-4d4d', 'api-5e5e', 'api-5c6b', 'api-7d9f'];
  names.forEach((name, i) => {
    const revision = i + 1;
    const hash = name.split('-')[1]!;
    out.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(name, {
        labels: { app: 'api', 'pod-template-hash': hash },
        annotations: { 'deployment.kubernetes.io/revision': String(revision) },
        ownerReferences: [owner('Deployment', 'api', 'apps/v1')],
        creationTimestamp: at(-600 + revision * 60),
      }),
      spec: {
        replicas: revision === 7 ? 1 : revision === 6 ? 3 : 0,
        selector: { matchLabels: { app: 'api', 'pod-template-hash': hash } },
        template: template(
          { app: 'api', 'pod-template-hash': hash },
          {
            api: `registry.example.com/shop/api:1.4.${Math.max(0, revision - 5)}`,
            'log-shipper': 'fluent-bit:3.0',
          },
        ),
      },
      status: {
        replicas: revision >= 6 ? 3 : 0,
        readyReplicas: revision === 6 ? 2 : 0,
        availableReplicas: revision === 6 ? 2 : 0,
      },
    });
  });
  out.push({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta('api-canary-9z9z', {
      labels: { app: 'api', 'pod-template-hash': '9z9z' },
      annotations: { 'deployment.kubernetes.io/revision': '99' },
      ownerReferences: [owner('Deployment', 'api-canary', 'apps/v1')],
    }),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'api' } },
      template: template({ app: 'api' }, { api: 'canary:1' }),
    },
    status: { replicas: 1 },
  });
  return out;
}

/** The crash-looping pod: api restarts after OOM kills, its sidecar runs fine. */
export function crashingPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('api-7d9f-x2x', {
      labels: { app: 'api', 'pod-template-hash': '7d9f' },
      ownerReferences: [owner('ReplicaSet', 'api-7d9f', 'apps/v1')],
      creationTimestamp: at(-30),
    }),
    spec: {
      nodeName: 'node-1',
      containers: [
        {
          name: 'api',
          image: 'registry.example.com/shop/api:1.4.2',
          resources: { limits: { memory: '256Mi' } },
        },
        { name: 'log-shipper', image: 'fluent-bit:3.0' },
      ],
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.11',
      podIP: '10.244.1.17',
      startTime: at(-30),
      conditions: [
        { type: 'Initialized', status: 'True', lastTransitionTime: at(-30) },
        {
          type: 'Ready',
          status: 'False',
          lastTransitionTime: at(-2),
          reason: 'ContainersNotReady',
          message: 'containers with unready status: [api]',
        },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: at(-30) },
      ],
      containerStatuses: [
        {
          name: 'api',
          image: 'registry.example.com/shop/api:1.4.2',
          imageID: 'registry.example.com/shop/api@sha256:abc',
          containerID: 'containerd://1111',
          ready: false,
          started: false,
          restartCount: 7,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message:
                'back-off 5m0s restarting failed container=api pod=api-7d9f-x2x_shop(uid-api-7d9f-x2x)',
            },
          },
          lastState: {
            terminated: {
              exitCode: 137,
              reason: 'OOMKilled',
              startedAt: at(-3),
              finishedAt: at(-2),
              containerID: 'containerd://1110',
            },
          },
        },
        {
          name: 'log-shipper',
          image: 'fluent-bit:3.0',
          imageID: 'fluent-bit@sha256:def',
          containerID: 'containerd://2222',
          ready: true,
          started: true,
          restartCount: 0,
          state: { running: { startedAt: at(-30) } },
          lastState: {},
        },
      ],
    },
  };
}

/** A single-container pod that cannot pull its image (so it never ran before). */
export function pullingPod(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: meta('api-7d9f-y3y', {
      labels: { app: 'api', 'pod-template-hash': '7d9f' },
      ownerReferences: [owner('ReplicaSet', 'api-7d9f', 'apps/v1')],
    }),
    spec: { nodeName: 'node-2', containers: [{ name: 'api', image: 'registry.example.com/shop/api:1.4.2' }] },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [
        {
          name: 'api',
          image: 'registry.example.com/shop/api:1.4.2',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ImagePullBackOff',
              message: 'Back-off pulling image "registry.example.com/shop/api:1.4.2"',
            },
          },
          lastState: {},
        },
      ],
    },
  };
}

export function cronJobAndJobs(): KubeObject[] {
  const job = (name: string, minutes: number, ok: boolean, ownerName = 'backup'): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta(name, {
      ownerReferences: [owner('CronJob', ownerName, 'batch/v1')],
      creationTimestamp: at(minutes),
      labels: { 'job-name': name },
    }),
    spec: {
      completions: 1,
      backoffLimit: 2,
      template: template({ 'job-name': name }, { backup: 'backup-tool:2.1' }),
    },
    status: ok
      ? {
          succeeded: 1,
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(minutes + 2) }],
        }
      : {
          failed: 3,
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastTransitionTime: at(minutes + 5),
            },
          ],
        },
  });
  return [
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('backup'),
      spec: {
        schedule: '0 * * * *',
        suspend: false,
        jobTemplate: { spec: { template: template({}, { backup: 'backup-tool:2.1' }) } },
      },
      status: { lastScheduleTime: at(-60), lastSuccessfulTime: at(-180) },
    },
    job('backup-28000', -180, true),
    job('backup-28060', -120, false),
    job('backup-28120', -60, false),
    job('report-28120', -30, true, 'report'),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('backup-28120-k7p2q', {
        ownerReferences: [owner('Job', 'backup-28120', 'batch/v1')],
        labels: { 'job-name': 'backup-28120' },
      }),
      spec: { nodeName: 'node-1', containers: [{ name: 'backup', image: 'backup-tool:2.1' }] },
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'backup',
            image: 'backup-tool:2.1',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                exitCode: 2,
                reason: 'Error',
                message: 'pg_dump: connection refused',
                finishedAt: at(-55),
              },
            },
          },
        ],
      },
    },
  ];
}

export function statefulSet(): KubeObject[] {
  const revision = (name: string, n: number, image: string): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: meta(name, {
      labels: { app: 'db' },
      ownerReferences: [owner('StatefulSet', 'db', 'apps/v1')],
      creationTimestamp: at(-500 + n * 100),
    }),
    // What the StatefulSet controller stores: a strategic-merge patch of spec.template.
    data: {
      spec: {
        template: {
          $patch: 'replace',
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'postgres', image }] },
        },
      },
    },
    revision: n,
  });
  return [
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('db', { labels: { app: 'db' } }),
      spec: {
        replicas: 2,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: template({ app: 'db' }, { postgres: 'postgres:16.2' }),
      },
      status: {
        replicas: 2,
        readyReplicas: 1,
        currentReplicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
        currentRevision: 'db-5a7',
        updateRevision: 'db-6b8',
      },
    },
    revision('db-5a7', 1, 'postgres:16.1'),
    revision('db-6b8', 2, 'postgres:16.2'),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta('db-0', {
        labels: { app: 'db' },
        ownerReferences: [owner('StatefulSet', 'db', 'apps/v1')],
      }),
      spec: { containers: [{ name: 'postgres', image: 'postgres:16.2' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'postgres',
            image: 'postgres:16.2',
            imageID: '',
            ready: true,
            restartCount: 0,
            state: { running: { startedAt: at(-100) } },
          },
        ],
      },
    },
  ];
}

export function node(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: 'node-1',
      uid: 'uid-node-1',
      labels: { 'kubernetes.io/hostname': 'node-1', 'node.kubernetes.io/instance-type': 'm5.large' },
      creationTimestamp: at(-10_000),
    },
    spec: {
      unschedulable: true,
      taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }],
    },
    status: {
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'True',
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
          lastHeartbeatTime: at(-1),
          lastTransitionTime: at(-15),
        },
        {
          type: 'DiskPressure',
          status: 'False',
          reason: 'KubeletHasNoDiskPressure',
          message: 'kubelet has no disk pressure',
          lastHeartbeatTime: at(-1),
          lastTransitionTime: at(-9000),
        },
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: at(-1),
          lastTransitionTime: at(-9000),
        },
      ],
    },
  };
}

/** 40 BackOff/OOM events on the crashing pod (minute -40 … -1) and 3 on another pod. */
export function events(): KubeObject[] {
  const out: KubeObject[] = [];
  for (let i = 0; i < 40; i++) {
    const minute = -40 + i;
    out.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta(`api-7d9f-x2x.${(1000 + i).toString(16)}`, { creationTimestamp: at(minute) }),
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: 'api-7d9f-x2x',
        uid: 'uid-api-7d9f-x2x',
        apiVersion: 'v1',
        fieldPath: 'spec.containers{api}',
      },
      reason: i % 2 === 0 ? 'BackOff' : 'Killing',
      message:
        i % 2 === 0
          ? 'Back-off restarting failed container api in pod api-7d9f-x2x_shop'
          : 'Container api exceeded its memory limit',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: at(minute - 1),
      lastTimestamp: at(minute),
      count: i + 1,
      type: 'Warning',
      reportingComponent: 'kubelet',
    });
  }
  for (let i = 0; i < 3; i++) {
    out.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: meta(`api-7d9f-y3y.${i}`, { creationTimestamp: at(-100 + i) }),
      involvedObject: { kind: 'Pod', namespace: 'shop', name: 'api-7d9f-y3y' },
      reason: 'Failed',
      message: 'Error: ImagePullBackOff',
      lastTimestamp: at(-100 + i),
      count: 1,
      type: 'Warning',
    });
  }
  return out;
}

export const LONG_LINE = `panic: ${'x'.repeat(4_993)}`;

/** Previous run of api: 250 lines ending in the OOM; the sidecar never restarted. */
export function crashingPodLogs(): { api: ContainerLogs; 'log-shipper': ContainerLogs } {
  const previous = Array.from({ length: 250 }, (_, i) => ({
    time: new Date(T0 - 180_000 + i * 100).toISOString().replace(/Z$/, '000000Z'), // RFC3339Nano, as the kubelet writes
    line:
      i === 249
        ? 'fatal error: runtime: out of memory'
        : i === 200
          ? LONG_LINE
          : `{"level":"info","msg":"handled request ${i}"}`,
  }));
  return {
    api: { previous, current: [{ time: at(-1), line: 'starting api 1.4.2' }] },
    'log-shipper': {
      current: [
        { time: at(-30), line: 'fluent-bit started' },
        { time: at(-29), line: 'shipping to loki' },
      ],
    },
  };
}

/** Loads the whole cluster into a fake API server. */
export function loadShopCluster(kube: FakeKubernetes): void {
  kube.add(
    deployment(),
    ...replicaSets(),
    crashingPod(),
    pullingPod(),
    ...cronJobAndJobs(),
    ...statefulSet(),
    node(),
    ...events(),
  );
  const logs = crashingPodLogs();
  kube.setLogs('shop', 'api-7d9f-x2x', 'api', logs.api);
  kube.setLogs('shop', 'api-7d9f-x2x', 'log-shipper', logs['log-shipper']);
  kube.setLogs('shop', 'api-7d9f-y3y', 'api', { current: [] });
}
