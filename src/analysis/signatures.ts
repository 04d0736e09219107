// Known failure signatures: recognisable lines in logs and Kubernetes events, each with what it
// usually means and what to do. `weight` is how strongly a match explains an outage on its own
// (0–100); it seeds the hypothesis score and is lowered when the evidence is indirect.

export interface Signature {
  id: string;
  title: string;
  patterns: RegExp[];
  explanation: string;
  remediation: string;
  weight: number;
  /** Pulls the concrete subject (host:port, image, key…) out of a matching line. */
  extract?: (line: string) => string | null;
}

const first = (line: string, res: RegExp[]): string | null => {
  for (const re of res) {
    const m = re.exec(line);
    if (m?.[1]) return m[2] ? `${m[1]}:${m[2]}` : m[1];
  }
  return null;
};

const HOSTPORT =
  /((?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\]|[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9]):(\d{2,5})\b/;

export const SIGNATURES: readonly Signature[] = [
  {
    id: 'connection_refused',
    title: 'Connection refused by a dependency',
    patterns: [/connection refused|ECONNREFUSED|actively refused|Connection to \S+ refused/i],
    explanation:
      'The process reached the host but nothing accepted the connection on that port: the dependency is down, restarting, not yet ready, or the address/port is wrong.',
    remediation:
      'Check the dependency named in the line (its pods, Service endpoints and recent changes); confirm the configured host and port; add retries with backoff so startup does not crash while it comes up.',
    weight: 80,
    extract: (l) =>
      first(l, [
        /(?:dial tcp|ECONNREFUSED|connect to|connecting to|Connection to)\s+\[?([A-Za-z0-9_.:-]+?)\]?:(\d{2,5})\b/i,
        HOSTPORT,
      ]),
  },
  {
    id: 'dns_failure',
    title: 'DNS resolution failure',
    patterns: [
      /NXDOMAIN|no such host|EAI_AGAIN|ENOTFOUND|Name or service not known|Temporary failure in name resolution|could not resolve host|UnknownHostException|getaddrinfo failed/i,
    ],
    explanation:
      'A hostname could not be resolved: a typo or missing Service, a deleted external record, the wrong namespace in a short name, or CoreDNS trouble.',
    remediation:
      'Verify the hostname (for in-cluster names use <service>.<namespace>.svc); check that the Service exists; check CoreDNS health if many names fail.',
    weight: 80,
    extract: (l) =>
      first(l, [
        /lookup ([A-Za-z0-9_.-]+)/i,
        /(?:ENOTFOUND|EAI_AGAIN)\s+([A-Za-z0-9_.-]+)/,
        /UnknownHostException:?\s*([A-Za-z0-9_.-]+)/,
        /could not resolve host:?\s*([A-Za-z0-9_.-]+)/i,
      ]),
  },
  {
    id: 'auth_denied',
    title: 'Permission or credentials denied',
    patterns: [
      // "is forbidden: exceeded quota" and PodSecurity refusals are admission, not identity.
      /\b(401|403)\b[^\n]{0,40}(unauthori[sz]ed|forbidden)|unauthori[sz]ed|forbidden(?![^\n]*(exceeded quota|violates PodSecurity))|access denied|permission denied|authentication failed|password authentication failed|invalid (credentials|password|token|api key)|EACCES|AccessDenied|not authorized/i,
    ],
    explanation:
      'A dependency or the filesystem rejected the credentials or the identity: rotated/expired secret, wrong password, missing RBAC/IAM permission, or a file not readable by the container user.',
    remediation:
      'Check the Secret the pod mounts (and whether it was rotated), the service account/IAM role, and file permissions versus the container user (securityContext.runAsUser).',
    weight: 75,
  },
  {
    id: 'missing_config',
    title: 'Missing configuration or environment variable',
    patterns: [
      /(environment variable|env var|env)\s+\S+\s+(is\s+)?(not set|missing|required|undefined|empty)/i,
      /missing required (config|configuration|env|environment|setting|property|parameter|key)/i,
      /required (key|variable|environment variable|config(uration)? (key|value)|setting)[^\n]{0,40}(not set|missing)/i,
      /KeyError: '[A-Z][A-Z0-9_]+'/,
      /(configmap|secret) "[^"]+" not found|couldn't find key \S+ in (ConfigMap|Secret)/i,
      /(config(uration)? file|\.ya?ml|\.json|\.toml|\.properties|\.conf|\.env)\b[^\n]{0,60}(not found|no such file|does not exist)/i,
      /no such file or directory[^\n]{0,60}\.(ya?ml|json|toml|properties|conf|env|ini)\b/i,
    ],
    explanation:
      'The process (or the kubelet) could not find configuration it requires: a ConfigMap/Secret key, a mounted file, or an environment variable.',
    remediation:
      'Compare the pod spec (env, envFrom, volumes) with the ConfigMaps/Secrets that exist in the namespace; check whether a recent rollout added a new required setting.',
    weight: 80,
    extract: (l) =>
      first(l, [
        /((?:configmap|secret) "[^"]+")/i,
        /couldn't find key (\S+)/i,
        /required (?:key|variable|setting) "?([A-Za-z_][A-Za-z0-9_.]*)"?/i,
        /KeyError: '([A-Z][A-Z0-9_]+)'/,
        /(?:environment variable|env var|env)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/i,
      ]),
  },
  {
    id: 'tls_error',
    title: 'TLS / certificate error',
    patterns: [
      /x509:|certificate (has expired|is not valid|signed by unknown authority|verify failed|is valid for)|SSL(_|\s)?(routines|handshake|error)|tls: |CERTIFICATE_VERIFY_FAILED|PKIX path building failed|handshake failure|SSLHandshakeException|self[- ]signed certificate/i,
    ],
    explanation:
      'A TLS handshake failed: expired or not-yet-valid certificate, hostname mismatch, untrusted CA, or protocol mismatch.',
    remediation:
      'Check the certificate dates and SANs of the endpoint (openssl s_client), cert-manager Certificates in the namespace, and the CA bundle the client trusts.',
    weight: 75,
  },
  {
    id: 'out_of_memory',
    title: 'Out of memory inside the runtime',
    patterns: [
      /java\.lang\.OutOfMemoryError|fatal error: runtime: out of memory|JavaScript heap out of memory|FATAL ERROR: [^\n]*Allocation failed|\bMemoryError\b|Cannot allocate memory|std::bad_alloc|out of memory/i,
    ],
    explanation:
      'The process ran out of memory inside its runtime (heap limit or allocation failure) — distinct from, but often followed by, a kernel OOM kill.',
    remediation:
      'Compare heap settings (-Xmx, --max-old-space-size, GOMEMLIMIT) with the container memory limit; look for a leak or an unbounded cache/batch; raise the limit only with evidence of legitimate need.',
    weight: 80,
  },
  {
    id: 'port_in_use',
    title: 'Port already in use',
    patterns: [
      /EADDRINUSE|address already in use|port \d+ (is )?already in use|Only one usage of each socket address/i,
    ],
    explanation:
      'The process could not bind its listening port: another process in the pod (sidecar, duplicate server) or the host network already holds it.',
    remediation:
      'Check containerPort/hostPort and sidecars for clashes; with hostNetwork, check other pods on the node; make sure the app does not start two listeners on one port.',
    weight: 75,
    extract: (l) => first(l, [/(?:port|:)\s*(\d{2,5})\b/i]),
  },
  {
    id: 'disk_full',
    title: 'Disk full',
    patterns: [/ENOSPC|no space left on device|disk full|disk quota exceeded|not enough space on the disk/i],
    explanation: 'A write failed because the volume or node filesystem is full (or its inode table is).',
    remediation:
      'Find which volume (PVC, emptyDir, container writable layer, node disk); free or expand it; check log/tmp growth and retention.',
    weight: 80,
  },
  {
    id: 'too_many_open_files',
    title: 'Too many open files',
    patterns: [/EMFILE|too many open files/i],
    explanation:
      'The process hit its file-descriptor limit, typically a connection or file-handle leak under load.',
    remediation:
      'Check open FDs over time (process_open_fds vs process_max_fds); look for leaked connections; raise ulimit only after ruling out a leak.',
    weight: 70,
  },
  {
    id: 'timeout',
    title: 'Timeouts / deadline exceeded',
    patterns: [
      /deadline exceeded|DEADLINE_EXCEEDED|ETIMEDOUT|i\/o timeout|timed out|SocketTimeoutException|ReadTimeout|ConnectTimeout|upstream request timeout/i,
    ],
    explanation:
      'Calls to a dependency did not complete in time: the dependency is slow or overloaded, the network path drops packets, or timeouts are set too tight.',
    remediation:
      'Identify the dependency from the line; check its latency and saturation; check NetworkPolicies for silently dropped traffic.',
    weight: 60,
    extract: (l) =>
      first(l, [/(?:dial tcp|to|connecting to|calling)\s+\[?([A-Za-z0-9_.:-]+?)\]?:(\d{2,5})\b/i, HOSTPORT]),
  },
  {
    id: 'db_schema',
    title: 'Database migration or schema error',
    patterns: [
      /(migration|migrate|flyway|liquibase|alembic)[^\n]{0,80}(fail|error|dirty|checksum mismatch)/i,
      /relation "[^"]+" does not exist|column "[^"]+"( of relation "[^"]+")? does not exist|Table '[^']+' doesn't exist|Unknown column '[^']+'|no such table|no such column|schema (version )?mismatch|Dirty database version/i,
    ],
    explanation:
      'The code and the database schema disagree: a migration failed or was not run, or a new version expects columns/tables that do not exist yet (or an old one was rolled back after a migration).',
    remediation:
      'Check the migration job/init container logs and the schema version table; run or fix the migration, or roll the application back to the version matching the schema.',
    weight: 80,
    extract: (l) =>
      first(l, [
        /(relation "[^"]+")/,
        /(column "[^"]+")/,
        /(Table '[^']+')/,
        /(no such (?:table|column): \S+)/,
      ]),
  },
  {
    id: 'probe_failure',
    title: 'Health probe failing',
    patterns: [/(Readiness|Liveness|Startup) probe failed/i],
    explanation:
      'The kubelet’s probe against the container fails. Readiness failures remove the pod from Service endpoints; liveness failures restart the container (exit 137).',
    remediation:
      'Run the probe by hand (kubectl exec / port-forward); check whether the app is slow to start (startupProbe, initialDelaySeconds) or a dependency check inside the probe is failing.',
    weight: 65,
    extract: (l) => first(l, [/((?:Readiness|Liveness|Startup) probe)/i]),
  },
  {
    id: 'segfault',
    title: 'Segmentation fault',
    patterns: [/SIGSEGV|segmentation fault|segfault|signal 11\b|core dumped/i],
    explanation:
      'The process crashed on an invalid memory access: a native library bug, ABI mismatch after an image change, or memory corruption.',
    remediation:
      'Check recent image/base-image changes and native dependencies; capture a core dump or run with the previous image to confirm.',
    weight: 75,
  },
  {
    id: 'null_reference',
    title: 'Null / nil reference crash',
    patterns: [
      /nil pointer dereference|NullPointerException|TypeError: Cannot read propert(y|ies) of (undefined|null)|AttributeError: 'NoneType' object/i,
    ],
    explanation:
      'A code path dereferenced a missing value — usually a bug exposed by new code or by unexpected input/config.',
    remediation:
      'Use the stack trace to find the code path; correlate with the latest rollout; roll back if it started with a new version.',
    weight: 70,
  },
  {
    id: 'image_pull',
    title: 'Image cannot be pulled',
    patterns: [
      /Failed to pull image|ErrImagePull|ImagePullBackOff|manifest unknown|pull access denied|repository does not exist|not found: manifest|Back-off pulling image|InvalidImageName/i,
    ],
    explanation:
      'The kubelet cannot fetch the container image: wrong tag or name, deleted tag, private registry without (valid) imagePullSecrets, or the registry is unreachable/rate-limiting.',
    remediation:
      'Check the exact image reference in the pod spec against the registry; check imagePullSecrets and registry credentials; check registry rate limits and node egress.',
    weight: 90,
    extract: (l) => first(l, [/(?:image|pulling image)\s+"([^"]+)"/i]),
  },
  {
    id: 'scheduling',
    title: 'Pod cannot be scheduled',
    patterns: [
      /FailedScheduling|0\/\d+ nodes are available|Insufficient (cpu|memory|nvidia)|didn't match Pod's node affinity|untolerated taint|unbound immediate PersistentVolumeClaims/i,
    ],
    explanation:
      'No node satisfies the pod’s requests and constraints: not enough allocatable CPU/memory, affinity/taint mismatch, or an unbound volume.',
    remediation:
      'Read the scheduler message for the blocking constraint; compare requests with node allocatable; check the cluster autoscaler and PVC binding.',
    weight: 85,
    extract: (l) => first(l, [/(0\/\d+ nodes are available[^.]*)/, /(Insufficient \w+)/]),
  },
  {
    id: 'rate_limited',
    title: 'Rate limited by a dependency',
    patterns: [
      /\b429\b|too many requests|rate limit(ed| exceeded)|RESOURCE_EXHAUSTED|Throttling(Exception)?:/i,
    ],
    explanation: 'A dependency is rejecting calls for exceeding its quota or rate limit.',
    remediation:
      'Identify the dependency and its quota; add client-side backoff; check for a retry storm multiplying traffic.',
    weight: 55,
  },
  {
    id: 'connection_pool',
    title: 'Connection pool or server connection limit exhausted',
    patterns: [
      /too many connections|connection pool (exhausted|timeout)|remaining connection slots are reserved|max_connections|Timeout waiting for connection from pool|pool exhausted/i,
    ],
    explanation:
      'The database or client pool has no free connections: leaked connections, a slow query holding them, or more replicas than the server allows.',
    remediation:
      'Check active connections on the server, pool size × replicas versus max_connections, and slow queries holding connections.',
    weight: 65,
  },
  {
    id: 'read_only_fs',
    title: 'Read-only filesystem',
    patterns: [/read-only file system|EROFS/i],
    explanation:
      'The process writes to a path that is read-only (readOnlyRootFilesystem, a read-only mount, or a filesystem remounted read-only after errors).',
    remediation:
      'Mount an emptyDir for writable paths (e.g. /tmp) or fix the volume; if the node remounted read-only, check its disk health.',
    weight: 70,
  },
  {
    id: 'upstream_unavailable',
    title: 'Upstream unavailable (proxy/gateway errors)',
    patterns: [
      /no healthy upstream|upstream connect error|\b50[234]\b[^\n]{0,20}(Bad Gateway|Service Unavailable|Gateway Timeout)|upstream prematurely closed/i,
    ],
    explanation:
      'A proxy or gateway had no healthy backend to send the request to: backends are down, not ready, or failing health checks.',
    remediation:
      'Check the backend Service endpoints and readiness; correlate with restarts and rollouts of the backend.',
    weight: 60,
  },
  {
    id: 'killed_by_signal',
    title: 'Process killed by a signal',
    patterns: [/\bSIGKILL\b|\bKilled\b\s*$|exit(ed)? (with )?(code|status) 137|signal: killed/i],
    explanation:
      'The process was killed (SIGKILL): kernel OOM killer, a failing liveness probe, or an external kill.',
    remediation:
      'Check the last termination reason (OOMKilled vs Error) and liveness probe events for the same time.',
    weight: 55,
  },
];

export function signatureById(id: string): Signature | undefined {
  return SIGNATURES.find((s) => s.id === id);
}
