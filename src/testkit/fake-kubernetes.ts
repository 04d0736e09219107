import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';

// A small stand-in for the Kubernetes API server: it stores objects in their JSON wire form and
// answers GETs on the real paths (item reads, lists with labelSelector/fieldSelector and paging
// with limit/continue, pod logs as text) with real Status objects for errors. @kubernetes/client-node talks to it unchanged
// through a KubeConfig pointing at its http:// address.

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  [k: string]: unknown;
};

const RESOURCES: Record<string, { group: string; plural: string; namespaced: boolean }> = {
  Pod: { group: '/api/v1', plural: 'pods', namespaced: true },
  Event: { group: '/api/v1', plural: 'events', namespaced: true },
  Node: { group: '/api/v1', plural: 'nodes', namespaced: false },
  ReplicaSet: { group: '/apis/apps/v1', plural: 'replicasets', namespaced: true },
  Deployment: { group: '/apis/apps/v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: '/apis/apps/v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: '/apis/apps/v1', plural: 'daemonsets', namespaced: true },
  ControllerRevision: { group: '/apis/apps/v1', plural: 'controllerrevisions', namespaced: true },
  Job: { group: '/apis/batch/v1', plural: 'jobs', namespaced: true },
  CronJob: { group: '/apis/batch/v1', plural: 'cronjobs', namespaced: true },
};

const KIND_BY_PLURAL = Object.fromEntries(Object.entries(RESOURCES).map(([kind, r]) => [r.plural, kind]));

export interface ContainerLogs {
  /** Lines of the running container, oldest first, each with its time. */
  current?: { time: string; line: string }[];
  /** Lines of the previous (terminated) container; absent when it never restarted. */
  previous?: { time: string; line: string }[];
}

export interface FakeKubernetes {
  url: string;
  token: string;
  /** Every request as "METHOD path?query". */
  requests: string[];
  add(...objects: KubeObject[]): void;
  setLogs(namespace: string, pod: string, container: string, logs: ContainerLogs): void;
  /** Answer 403 for this resource (plural, e.g. "pods" or "replicasets"). */
  forbid(plural: string): void;
  /** Delay every answer by this many ms (0 = none). */
  delay(ms: number): void;
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: object) {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message,
      reason,
      details,
      code,
    }),
  );
}

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Equality-only label selectors, as the collectors send them (k=v,k2=v2). */
function labelsMatch(
  selector: string | null,
  labels: Record<string, string> | undefined,
): boolean | 'unsupported' {
  if (!selector) return true;
  for (const part of selector.split(',')) {
    const m = /^([^=!]+)==?(.*)$/.exec(part.trim());
    if (!m) return 'unsupported';
    if ((labels ?? {})[m[1]!] !== m[2]) return false;
  }
  return true;
}

/** Field selectors: key=value pairs, values escaping \, comma and = with a backslash. */
function parseFieldSelector(selector: string): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let key = '';
  let value = '';
  let inValue = false;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i]!;
    if (ch === '\\') {
      const next = selector[i + 1];
      if (next === undefined || !'\\,='.includes(next)) return undefined;
      if (inValue) value += next;
      else key += next;
      i++;
    } else if (ch === '=' && !inValue) {
      inValue = true;
    } else if (ch === ',') {
      if (!inValue) return undefined;
      out[key] = value;
      key = '';
      value = '';
      inValue = false;
    } else if (inValue) value += ch;
    else key += ch;
  }
  if (inValue) out[key] = value;
  return out;
}

function fieldValue(obj: KubeObject, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

export async function startFakeKubernetes(): Promise<FakeKubernetes> {
  const objects = new Map<string, KubeObject>();
  const logs = new Map<string, ContainerLogs>();
  const forbidden = new Set<string>();
  const requests: string[] = [];
  const token = 'fake-token-for-tests';
  let delayMs = 0;

  const pathOf = (obj: KubeObject) => {
    const r = RESOURCES[obj.kind];
    if (!r) throw new Error(`fake kubernetes does not serve ${obj.kind}`);
    const ns = r.namespaced ? `/namespaces/${obj.metadata.namespace}` : '';
    return `${r.group}${ns}/${r.plural}/${obj.metadata.name}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${token}`) {
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', 'the fake is read-only');

    const m =
      /^(\/api\/v1|\/apis\/apps\/v1|\/apis\/batch\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/(log))?$/.exec(
        url.pathname,
      );
    if (!m) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const [, group, namespace, plural, name, sub] = m;
    const kind = KIND_BY_PLURAL[plural!];
    if (!kind || RESOURCES[kind]!.group !== group) {
      return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    }
    const where = namespace ? ` in the namespace "${namespace}"` : '';
    const apiGroup = group === '/api/v1' ? '' : group!.split('/')[2]!;
    const resource = sub ? `${plural}/${sub}` : plural!;
    if (forbidden.has(plural!)) {
      const verb = name ? 'get' : 'list';
      return status(
        res,
        403,
        'Forbidden',
        `${resource}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:tarka:tarka" cannot ${verb} resource "${resource}" in API group "${apiGroup}"${where}`,
        { name, kind: plural },
      );
    }

    if (name) {
      const obj = objects.get(url.pathname.replace(/\/log$/, ''));
      if (!obj) return status(res, 404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural });
      if (!sub) return json(res, obj);
      return podLog(res, obj, url.searchParams);
    }

    // A list: everything under this collection path that matches the selectors.
    const prefix = url.pathname + '/';
    const fieldSel = url.searchParams.get('fieldSelector');
    const fields = fieldSel ? parseFieldSelector(fieldSel) : {};
    if (!fields) return status(res, 400, 'BadRequest', `invalid field selector: ${fieldSel}`);
    const items: KubeObject[] = [];
    for (const [path, obj] of objects) {
      if (!path.startsWith(prefix) || path.slice(prefix.length).includes('/')) continue;
      const labelsOk = labelsMatch(url.searchParams.get('labelSelector'), obj.metadata.labels);
      if (labelsOk === 'unsupported')
        return status(res, 400, 'BadRequest', 'unsupported label selector in the fake');
      if (!labelsOk) continue;
      if (Object.entries(fields).every(([k, v]) => fieldValue(obj, k) === v)) items.push(obj);
    }
    // Paging as the API server does: items in key order, `limit` per page, an opaque `continue`
    // token for the rest, and remainingItemCount only when no selector was given.
    items.sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
    const limit = Number(url.searchParams.get('limit') ?? '0');
    const continueKey = url.searchParams.get('continue');
    let offset = 0;
    if (continueKey) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(continueKey, 'base64').toString());
      if (!decoded) return status(res, 400, 'BadRequest', 'continue key is not valid');
      offset = Number(decoded[1]);
    }
    const page = limit > 0 ? items.slice(offset, offset + limit) : items.slice(offset);
    const rest = items.length - offset - page.length;
    const metadata: Record<string, unknown> = { resourceVersion: '1000' };
    if (rest > 0) {
      metadata.continue = Buffer.from(`offset:${offset + page.length}`).toString('base64');
      if (!url.searchParams.get('labelSelector') && !fieldSel) metadata.remainingItemCount = rest;
    }
    return json(res, {
      kind: `${kind}List`,
      apiVersion: group === '/api/v1' ? 'v1' : group!.replace('/apis/', ''),
      metadata,
      items: page,
    });
  };

  const podLog = (res: ServerResponse, pod: KubeObject, q: URLSearchParams) => {
    const containers = ((pod.spec as { containers?: { name: string }[] })?.containers ?? []).map(
      (c) => c.name,
    );
    let container = q.get('container');
    if (!container) {
      if (containers.length !== 1) {
        return status(
          res,
          400,
          'BadRequest',
          `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`,
        );
      }
      container = containers[0]!;
    }
    if (!containers.includes(container)) {
      return status(
        res,
        400,
        'BadRequest',
        `container ${container} is not valid for pod ${pod.metadata.name}`,
      );
    }
    const stored = logs.get(`${pod.metadata.namespace}/${pod.metadata.name}/${container}`) ?? {};
    const previous = q.get('previous') === 'true';
    const lines = previous ? stored.previous : (stored.current ?? []);
    if (!lines) {
      return status(
        res,
        400,
        'BadRequest',
        `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`,
      );
    }
    const tail = q.has('tailLines') ? lines.slice(-Number(q.get('tailLines'))) : lines;
    const withTime = q.get('timestamps') === 'true';
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(tail.map((l) => (withTime ? `${l.time} ${l.line}\n` : `${l.line}\n`)).join(''));
  };

  const server = createServer((req, res) => {
    if (delayMs > 0) setTimeout(() => handle(req, res), delayMs);
    else handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

  return {
    url,
    token,
    requests,
    add: (...objs) => {
      for (const o of objs) objects.set(pathOf(o), o);
    },
    setLogs: (namespace, pod, container, l) => logs.set(`${namespace}/${pod}/${container}`, l),
    forbid: (plural) => forbidden.add(plural),
    delay: (ms) => {
      delayMs = ms;
    },
    kubeConfig: () => kubeConfigFor(url, token),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A KubeConfig for an http:// API server with a bearer token, as a kubeconfig file would say. */
export function kubeConfigFor(server: string, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'tarka', token }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tarka', namespace: 'default' }],
    currentContext: 'fake',
  });
  return kc;
}
