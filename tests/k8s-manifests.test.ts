import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { insecureExposure } from '../src/http/browser-security.js';
import { configSchema, loadConfig, secretKeys } from '../src/shared/config.js';

// The production manifests in k8s/ checked against the code: every config variable has a value
// that start-up accepts, secrets stay in the Secret, RBAC stays read-only, every container is
// hardened and probed, and every process runs a subcommand the CLI has.

const root = fileURLToPath(new URL('..', import.meta.url));
const k8sDir = join(root, 'k8s');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface Manifest {
  file: string;
  doc: Obj;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return yamlFiles(path);
      return /\.ya?ml$/.test(name) ? [path] : [];
    })
    .sort();
}

// kubectl reads manifests with YAML 1.1 rules (yes/no/on/off are booleans), so parse the same way:
// a ConfigMap value that only YAML 1.2 reads as a string would be a boolean to the API server.
const parsed = yamlFiles(k8sDir).map((path) => ({
  file: relative(k8sDir, path),
  docs: parseAllDocuments(readFileSync(path, 'utf8'), { version: '1.1', prettyErrors: true }),
}));

const manifests: Manifest[] = parsed.flatMap(({ file, docs }) =>
  (Array.isArray(docs) ? docs : [])
    .map((d) => d.toJS() as Obj | null)
    .filter((doc): doc is Obj => doc !== null)
    .map((doc) => ({ file, doc })),
);
const main = manifests.filter((m) => !m.file.startsWith('optional/'));

const ofKind = (kind: string, from = manifests) => from.filter((m) => m.doc.kind === kind);
function one(kind: string, name: string): Obj {
  const found = ofKind(kind).filter((m) => m.doc.metadata?.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!.doc;
}

const configMap = (): Record<string, unknown> => one('ConfigMap', 'tarka-config').data ?? {};
const secret = (): Record<string, unknown> => {
  const s = one('Secret', 'tarka-secrets');
  const decoded = Object.fromEntries(
    Object.entries((s.data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );
  return { ...decoded, ...(s.stringData ?? {}) };
};

/** The Secret as an operator fills it in: every placeholder replaced by a real-looking value. */
const realSecret = (): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(secret()).map(([k, v]) => [k, v === '' ? '' : `${k.toLowerCase()}-${'7f3a9c'.repeat(6)}`]),
  );

const workloadKinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
const longRunning = ['Deployment', 'StatefulSet', 'DaemonSet'];
const podSpecOf = (doc: Obj): Obj =>
  doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
const containersOf = (doc: Obj): Obj[] => {
  const spec = podSpecOf(doc);
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
};
const label = (m: Manifest) =>
  `${m.file}: ${m.doc.kind} ${m.doc.metadata?.name ?? m.doc.metadata?.generateName}`;

/** The subcommand a Tarka container runs: the image's entrypoint is `tarka`, so it is args[0]. */
function subcommandOf(c: Obj): string | undefined {
  if (c.command) return c.command[0] === 'tarka' ? c.command[1] : undefined;
  return c.args?.[0];
}
const isTarka = (c: Obj) => typeof c.image === 'string' && c.image.startsWith('ghcr.io/tarka-dev/tarka');

describe('k8s manifests', () => {
  it('every YAML document parses, and each is a Kubernetes object', () => {
    expect(parsed.length).toBeGreaterThan(10);
    for (const { file, docs } of parsed) {
      for (const d of docs) {
        expect(d.errors.map((e) => `${file}: ${e.message}`)).toEqual([]);
        expect(d.warnings.map((e) => `${file}: ${e.message}`)).toEqual([]);
      }
    }
    for (const m of manifests) {
      expect(m.doc.apiVersion, label(m)).toEqual(expect.any(String));
      expect(m.doc.kind, label(m)).toEqual(expect.any(String));
      if (m.doc.kind === 'Kustomization') continue; // kustomize's own file needs no name
      expect(m.doc.metadata?.name ?? m.doc.metadata?.generateName, label(m)).toEqual(expect.any(String));
    }
  });

  it('kustomization.yaml lists every manifest in k8s/ (optional/ is applied by hand)', () => {
    const kustomization = ofKind('Kustomization');
    expect(kustomization.map((m) => m.file)).toEqual(['kustomization.yaml']);
    const listed = kustomization[0]!.doc.resources as string[];
    const present = readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
    expect([...listed].sort()).toEqual(present.sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('every namespaced object lives in namespace tarka', () => {
    const clusterScoped = ['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'Kustomization'];
    for (const m of manifests.filter((x) => !clusterScoped.includes(x.doc.kind))) {
      expect(m.doc.metadata.namespace, label(m)).toBe('tarka');
    }
  });

  it('every config variable is in the ConfigMap or the Secret, and nothing else is', () => {
    // Variables deliberately left to their defaults would be listed here. None are: HOST, PORT,
    // TARKA_DATA_DIR and CASE_CACHE_SIZE are set explicitly so a default never changes under us.
    const leftToDefaults: string[] = [];
    const schemaKeys = Object.keys(configSchema.shape);
    const cm = configMap();
    const sec = secret();
    const missing = schemaKeys.filter((k) => !(k in cm) && !(k in sec) && !leftToDefaults.includes(k));
    expect(missing, 'config variables missing from k8s/configmap.yaml and k8s/secret.yaml').toEqual([]);
    // A name the schema does not know is a typo or a stale variable: zod would silently drop it.
    const unknown = [...Object.keys(cm), ...Object.keys(sec)].filter((k) => !schemaKeys.includes(k));
    expect(unknown, 'variables the config schema does not know').toEqual([]);
    for (const k of leftToDefaults) expect(schemaKeys).toContain(k);
  });

  it('ConfigMap values are strings, as the API server requires', () => {
    for (const [k, v] of Object.entries(configMap())) expect(typeof v, k).toBe('string');
    for (const [k, v] of Object.entries(secret())) expect(typeof v, k).toBe('string');
  });

  it('secrets stay in the Secret', () => {
    const cm = configMap();
    const sec = secret();
    expect(
      Object.keys(sec).filter((k) => k in cm),
      'keys in both ConfigMap and Secret',
    ).toEqual([]);
    for (const k of secretKeys) {
      expect(sec, `secret key ${k}`).toHaveProperty(k);
      expect(cm).not.toHaveProperty(k);
    }
    for (const k of ['S3_ACCESS_KEY_ID', 'WEBHOOK_BASIC_USER']) expect(sec).toHaveProperty(k);
    // Nothing that looks like a credential hides in the ConfigMap (LLM_MAX_TOKENS counts LLM tokens).
    for (const k of Object.keys(cm)) expect(k).not.toMatch(/PASSWORD|SECRET|TOKEN(?!S$)|ACCESS_KEY/);
  });

  it('the placeholder Secret stops start-up, naming each placeholder; real values pass loadConfig', () => {
    const placeholders = Object.keys(secret()).filter((k) => secret()[k] !== '');
    expect(placeholders.length).toBeGreaterThanOrEqual(4);
    let message = '';
    try {
      loadConfig({ ...configMap(), ...secret() } as NodeJS.ProcessEnv);
    } catch (e) {
      message = (e as Error).message;
    }
    for (const k of placeholders) expect(message, k).toContain(`${k}=(hidden): a placeholder`);
    const env = { ...configMap(), ...realSecret() } as NodeJS.ProcessEnv;
    expect(() => loadConfig(env)).not.toThrow();
    const c = loadConfig(env);
    // Production values, not laptop defaults.
    expect(c.NATS_URL).toMatch(/^nats:\/\//);
    expect(c.POSTGRES_HOST).toBeDefined();
    expect(c.S3_BUCKET).toBeDefined();
    expect(c.POSTGRES_USER).not.toBe('postgres');
  });

  it('URL variables are http(s) URLs with a host', () => {
    // The schema's z.url() accepts any scheme, so `prometheus:9090` (scheme "prometheus:") would
    // pass start-up and fail at the first query. Hold the manifests to what the collectors fetch.
    const cm = configMap();
    const urlKeys = Object.keys(configSchema.shape).filter((k) => k.endsWith('_URL') && k !== 'NATS_URL');
    expect(urlKeys.length).toBeGreaterThanOrEqual(5);
    for (const k of urlKeys) {
      const v = String(cm[k] ?? '');
      if (v === '') continue; // not set: the feature is off
      const u = new URL(v);
      expect(['http:', 'https:'], `${k}=${v}`).toContain(u.protocol);
      expect(u.hostname, `${k}=${v}`).not.toBe('');
    }
    expect(new URL(String(cm.AUTH_PUBLIC_BASE_URL)).protocol).toBe('https:');
  });

  it('placeholders are marked CHANGE-ME', () => {
    const sec = secret();
    for (const k of ['S3_SECRET_ACCESS_KEY', 'POSTGRES_PASSWORD', 'WEBHOOK_BEARER_TOKEN']) {
      expect(sec[k], k).toMatch(/^CHANGE-ME/);
    }
    for (const [k, v] of Object.entries(sec)) expect(v === '' || /^CHANGE-ME/.test(String(v)), k).toBe(true);
  });

  it('NATS: replicas match the cluster, NATS_URL names the client Service, version is 2.10+', () => {
    const c = loadConfig({ ...configMap(), ...realSecret() } as NodeJS.ProcessEnv);
    const sts = one('StatefulSet', 'tarka-nats');
    expect(sts.spec.replicas).toBe(3);
    expect(c.NATS_REPLICAS).toBe(3);
    expect(c.NATS_REPLICAS).toBeLessThanOrEqual(sts.spec.replicas);
    const host = new URL(c.NATS_URL!.split(',')[0]!).hostname;
    const [svcName, ns] = host.split('.');
    expect(ns).toBe('tarka');
    const svc = one('Service', svcName!);
    expect(svc.spec.ports.map((p: Obj) => p.port)).toContain(4222);
    const nats = podSpecOf(sts).containers.find((x: Obj) => x.name === 'nats');
    const [major, minor] = /^nats:(\d+)\.(\d+)/.exec(nats.image)!.slice(1).map(Number) as [number, number];
    expect(major > 2 || (major === 2 && minor >= 10), nats.image).toBe(true);
    expect(nats.livenessProbe.httpGet.path).toBe('/healthz?js-enabled-only=true');
    const conf = one('ConfigMap', 'tarka-nats-config').data['nats.conf'] as string;
    expect(conf).toMatch(/store_dir:\s*\/data/);
    for (let i = 0; i < sts.spec.replicas; i++)
      expect(conf).toContain(`tarka-nats-${i}.${sts.spec.serviceName}:6222`);
    expect(one('Service', sts.spec.serviceName).spec.clusterIP).toBe('None');
    expect(sts.spec.volumeClaimTemplates.map((v: Obj) => v.metadata.name)).toContain('data');
  });

  it('ClusterRole is read-only: get/list/watch, never secrets or wildcards', () => {
    const role = one('ClusterRole', 'tarka-investigator-readonly');
    const allowed = new Set(['get', 'list', 'watch']);
    const resources = new Set<string>();
    for (const rule of role.rules as Obj[]) {
      for (const v of rule.verbs) expect(allowed.has(v), `verb ${v}`).toBe(true);
      expect(rule.nonResourceURLs).toBeUndefined();
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.apiGroups).not.toContain('*');
      for (const r of rule.resources as string[]) {
        expect(r).not.toBe('*');
        expect(r).not.toMatch(/^secrets|^configmaps|\/(exec|attach|portforward|proxy)$/);
        resources.add(r);
      }
    }
    for (const r of [
      'pods',
      'pods/log',
      'events',
      'nodes',
      'namespaces',
      'replicasets',
      'deployments',
      'statefulsets',
      'daemonsets',
      'controllerrevisions',
      'jobs',
      'cronjobs',
    ]) {
      expect(resources, r).toContain(r);
    }
    // Nothing else grants anything: no other Role or ClusterRole in the manifests.
    expect([...ofKind('Role'), ...ofKind('ClusterRole')]).toHaveLength(1);
    const binding = one('ClusterRoleBinding', 'tarka-investigator-readonly');
    expect(binding.roleRef.name).toBe('tarka-investigator-readonly');
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'tarka-investigator', namespace: 'tarka' },
    ]);
  });

  it('every container has resources, runs as non-root, hardened; long-running ones have probes', () => {
    const workloads = manifests.filter((m) => workloadKinds.includes(m.doc.kind));
    expect(workloads.length).toBeGreaterThanOrEqual(5);
    for (const m of workloads) {
      const pod = podSpecOf(m.doc);
      expect(pod.securityContext?.seccompProfile?.type, label(m)).toBe('RuntimeDefault');
      for (const c of containersOf(m.doc)) {
        const where = `${label(m)} container ${c.name}`;
        expect(c.resources?.requests?.cpu, where).toBeDefined();
        expect(c.resources?.requests?.memory, where).toBeDefined();
        expect(c.resources?.limits?.memory, where).toBeDefined();
        expect(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, where).toBe(true);
        expect(c.securityContext?.runAsUser ?? pod.securityContext?.runAsUser, where).toBeGreaterThan(0);
        expect(c.securityContext?.allowPrivilegeEscalation, where).toBe(false);
        expect(c.securityContext?.readOnlyRootFilesystem, where).toBe(true);
        expect(c.securityContext?.capabilities?.drop, where).toEqual(['ALL']);
        expect(c.securityContext?.capabilities?.add, where).toBeUndefined();
        expect(c.securityContext?.privileged, where).not.toBe(true);
        // A Job ends by itself and serves nothing: probes only for what runs forever.
        if (longRunning.includes(m.doc.kind)) {
          expect(c.livenessProbe, `${where} livenessProbe`).toBeDefined();
          expect(c.readinessProbe, `${where} readinessProbe`).toBeDefined();
        }
      }
    }
  });

  it('every Deployment runs a real subcommand with the shared config and the right probes', () => {
    // Subcommands the CLI declares, plus `worker`, which the brief specifies and is being built
    // (main.ts's --run-worker alias already maps to it).
    const cli = readFileSync(join(root, 'src/cli/main.ts'), 'utf8');
    const declared = new Set([...cli.matchAll(/\.command\('([a-z-]+)'\)/g)].map((x) => x[1]!));
    expect(declared).toContain('serve');
    expect(declared).toContain('project');
    expect(declared).toContain('replay');
    const pending = ['worker'];
    const known = new Set([...declared, ...pending]);
    const longRunningSubcommands = ['serve', 'worker', 'project'];

    const deployments = ofKind('Deployment');
    expect(deployments.map((m) => m.doc.metadata.name).sort()).toEqual(
      ['tarka-console', 'tarka-projector', 'tarka-webhook', 'tarka-workers'].sort(),
    );
    const c0 = (name: string) => podSpecOf(one('Deployment', name)).containers[0] as Obj;
    expect(subcommandOf(c0('tarka-webhook'))).toBe('serve');
    expect(subcommandOf(c0('tarka-console'))).toBe('serve');
    // Pods Alertmanager reaches serve only /alerts; the console pods never take alerts.
    expect(c0('tarka-webhook').args).toEqual(['serve', '--routes', 'webhook']);
    expect(c0('tarka-console').args).toEqual(['serve', '--routes', 'console']);
    // Each serve Deployment starts with this config on 0.0.0.0: nothing it serves is unauthenticated.
    const c = loadConfig({ ...configMap(), ...realSecret() } as NodeJS.ProcessEnv);
    expect(c.HOST).toBe('0.0.0.0');
    expect(c.TARKA_ALLOW_INSECURE).toBe(false);
    for (const routes of ['webhook', 'console'] as const)
      expect(insecureExposure({ ...c, SERVE_ROUTES: routes }), routes).toEqual([]);
    expect(subcommandOf(c0('tarka-workers'))).toBe('worker');
    expect(subcommandOf(c0('tarka-projector'))).toBe('project');

    const port = Number(configMap().PORT);
    for (const m of deployments) {
      const pod = podSpecOf(m.doc);
      for (const c of pod.containers.filter(isTarka)) {
        const where = label(m);
        const sub = subcommandOf(c);
        expect(longRunningSubcommands, where).toContain(sub);
        expect(known, where).toContain(sub);
        expect(c.envFrom, where).toEqual(
          expect.arrayContaining([
            { configMapRef: { name: 'tarka-config' } },
            { secretRef: { name: 'tarka-secrets' } },
          ]),
        );
        expect(
          c.ports.map((p: Obj) => p.containerPort),
          where,
        ).toContain(port);
        expect(c.livenessProbe.httpGet.path, where).toBe('/health');
        // `serve` and `project` have /ready (NATS + Postgres); the worker serves /health only.
        expect(c.readinessProbe.httpGet.path, where).toBe(sub === 'worker' ? '/health' : '/ready');
      }
      const annotations = m.doc.spec.template.metadata.annotations ?? {};
      expect(annotations['prometheus.io/scrape'], label(m)).toBe('true');
      expect(Number(annotations['prometheus.io/port']), label(m)).toBe(port);
      expect(annotations['prometheus.io/path'], label(m)).toBe('/metrics');
      expect(pod.topologySpreadConstraints?.length, label(m)).toBeGreaterThan(0);
      expect(pod.terminationGracePeriodSeconds, label(m)).toBeGreaterThanOrEqual(30);
    }

    // Workers get time to finish their jobs, and the only Kubernetes API access.
    const workers = podSpecOf(one('Deployment', 'tarka-workers'));
    expect(workers.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(120);
    expect(workers.serviceAccountName).toBe('tarka-investigator');
    for (const name of ['tarka-webhook', 'tarka-console', 'tarka-projector']) {
      const pod = podSpecOf(one('Deployment', name));
      expect(pod.serviceAccountName, name).not.toBe('tarka-investigator');
      expect(pod.automountServiceAccountToken, name).toBe(false);
    }
    // One active projector per lock, one hot standby.
    expect(one('Deployment', 'tarka-projector').spec.replicas).toBe(2);

    // The optional replay Job runs `tarka replay`.
    const replay = ofKind('Job').filter((m) => m.file === 'optional/replay-job.yaml');
    expect(replay).toHaveLength(1);
    expect(subcommandOf(containersOf(replay[0]!.doc)[0]!)).toBe('replay');
    expect(known).toContain('replay');
  });

  it('Services select existing pods and reach a named container port', () => {
    for (const m of ofKind('Service', main)) {
      const selector = m.doc.spec.selector as Record<string, string>;
      const targets = main.filter(
        (w) =>
          ['Deployment', 'StatefulSet'].includes(w.doc.kind) &&
          Object.entries(selector).every(([k, v]) => w.doc.spec.template.metadata.labels?.[k] === v),
      );
      expect(targets.length, label(m)).toBeGreaterThan(0);
      for (const p of m.doc.spec.ports as Obj[]) {
        for (const t of targets) {
          const names = podSpecOf(t.doc).containers.flatMap((c: Obj) =>
            (c.ports ?? []).map((x: Obj) => x.name),
          );
          expect(names, `${label(m)} port ${p.name}`).toContain(p.targetPort);
        }
      }
    }
    const webhook = one('Service', 'tarka-webhook');
    expect(webhook.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(one('Service', 'tarka-console').spec.ports[0].port).toBe(80);
  });

  it('autoscalers target existing Deployments with at least 2 replicas', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((m) => m.doc.spec.scaleTargetRef.name).sort()).toEqual([
      'tarka-webhook',
      'tarka-workers',
    ]);
    for (const m of hpas) {
      expect(m.doc.apiVersion).toBe('autoscaling/v2');
      expect(m.doc.spec.minReplicas).toBeGreaterThanOrEqual(2);
      one('Deployment', m.doc.spec.scaleTargetRef.name);
      // An HPA-managed Deployment leaves `replicas` out, so `kubectl apply` never resets it.
      expect(one('Deployment', m.doc.spec.scaleTargetRef.name).spec.replicas, label(m)).toBeUndefined();
    }
    const keda = ofKind('ScaledObject');
    expect(keda.map((m) => m.file)).toEqual(['optional/keda-scaledobject.yaml']);
    const trigger = keda[0]!.doc.spec.triggers[0];
    const c = loadConfig({ ...configMap(), ...realSecret() } as NodeJS.ProcessEnv);
    expect(trigger.metadata.stream).toBe(c.JETSTREAM_STREAM);
    expect(trigger.metadata.consumer).toBe(c.JETSTREAM_DURABLE);
  });

  it('network policies: webhook ingress and workers egress are restricted', () => {
    const policies = ofKind('NetworkPolicy');
    const selecting = (component: string, type: string) =>
      policies.filter(
        (m) =>
          m.doc.spec.policyTypes.includes(type) &&
          m.doc.spec.podSelector?.matchLabels?.['app.kubernetes.io/component'] === component,
      );
    expect(selecting('webhook', 'Ingress')).toHaveLength(1);
    const egress = selecting('workers', 'Egress');
    expect(egress).toHaveLength(1);
    const ports = new Set(
      (egress[0]!.doc.spec.egress as Obj[]).flatMap((r) => (r.ports ?? []).map((p: Obj) => p.port)),
    );
    for (const p of [53, 4222, 9090, 9093, 5432, 443]) expect(ports, `egress port ${p}`).toContain(p);
    expect(policies.some((m) => JSON.stringify(m.doc.spec.podSelector) === '{}')).toBe(true);
  });
});
