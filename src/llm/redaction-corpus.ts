// Text as it turns up in alerts, log lines and Kubernetes objects, with the secrets in it that must
// never reach an LLM provider. All values are made up (AWS's documented example key included);
// each `secrets` entry is a substring that must not survive redaction anywhere in a prompt.

export interface CorpusEntry {
  name: string;
  text: string;
  secrets: string[];
  /** PII the optional tier must pseudonymise (and put back in the answer). */
  pii?: string[];
}

const pem = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
const jwt =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUiLCJpYXQiOjE1MTYyMzkwMjJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';

export const redactionCorpus: CorpusEntry[] = [
  {
    name: 'bearer token in a request log',
    text: 'GET /api/v1/orders Authorization: Bearer 7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e status=401',
    secrets: ['7f3c9a1e5b2d4f6a8c0e1b3d5f7a9c2e'],
  },
  {
    name: 'basic auth header',
    text: 'proxy forwarded header authorization="Basic YWRtaW46c3VwZXJzZWNyZXQxMjM="',
    secrets: ['YWRtaW46c3VwZXJzZWNyZXQxMjM='],
  },
  {
    name: 'AWS keys in an env dump',
    text: 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY region=eu-west-1',
    secrets: ['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
  },
  {
    name: 'GitHub tokens',
    text: 'git clone https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/acme/app.git; GH_TOKEN=ghp_R2d2C3poBb8WookieHanSolo1977LukeLeia42',
    secrets: ['ghs_16C7e42F292c6912E7710c838347Ae178B4a', 'ghp_R2d2C3poBb8WookieHanSolo1977LukeLeia42'],
  },
  {
    name: 'Slack token and webhook',
    text: 'notify failed token xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx url https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    secrets: [
      'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx',
      'T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    ],
  },
  {
    name: 'password in a database URL',
    text: 'connecting to postgres://orders:Tr0ub4dor&3xyz@db.internal:5432/orders?sslmode=require failed',
    secrets: ['Tr0ub4dor&3xyz'],
  },
  {
    name: 'connection string with Password=',
    text: 'Server=tcp:sql.internal,1433;Database=shop;User ID=app;Password=CorrectHorseBatteryStaple9;Encrypt=True',
    secrets: ['CorrectHorseBatteryStaple9'],
  },
  {
    name: 'Azure storage connection string',
    text: 'DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey=Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==;EndpointSuffix=core.windows.net',
    secrets: ['Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg=='],
  },
  {
    name: 'redis and amqp URLs',
    text: 'REDIS_URL=redis://:s3cr3tRedisPass@redis:6379/0 AMQP=amqp://guest:RabbitPw_55@mq:5672/',
    secrets: ['s3cr3tRedisPass', 'RabbitPw_55'],
  },
  { name: 'JWT in a cookie', text: `Set-Cookie: session=${jwt}; Path=/; HttpOnly`, secrets: [jwt] },
  { name: 'JWT alone in a log line', text: `invalid token ${jwt} for user`, secrets: [jwt] },
  {
    name: 'PEM private key in a secret dump',
    text: `tls.key: |\n${pem}\ntls.crt: ok`,
    secrets: [pem, 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun'],
  },
  {
    name: 'JSON log with secrets',
    text: '{"level":"error","msg":"login failed","password":"hunter2hunter2","api_key":"k-9f8e7d6c5b4a","client_secret":"cs_live_abcdef123456"}',
    secrets: ['hunter2hunter2', 'k-9f8e7d6c5b4a', 'cs_live_abcdef123456'],
  },
  {
    name: 'escaped JSON inside JSON',
    text: '{"line":"config loaded: {\\"db_password\\":\\"PgPass!2024x\\",\\"mode\\":\\"prod\\"}"}',
    secrets: ['PgPass!2024x'],
  },
  {
    name: 'YAML-ish key: value',
    text: 'spec:\n  env:\n    STRIPE_SECRET: sk_live_51HxYzAbCdEfGhIjKlMn\n    smtp_password: mailerPw77',
    secrets: ['sk_live_51HxYzAbCdEfGhIjKlMn', 'mailerPw77'],
  },
  {
    name: 'provider API keys',
    text: 'OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 google key AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q in config',
    secrets: ['sk-proj-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789', 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'],
  },
  {
    name: 'GitLab and npm tokens',
    text: 'CI used glpat-xXyYzZ0123456789abcd and npm_abcdefghijklmnopqrstuvwxyz0123456789 to publish',
    secrets: ['glpat-xXyYzZ0123456789abcd', 'npm_abcdefghijklmnopqrstuvwxyz0123456789'],
  },
  {
    name: 'query-string token and signature',
    text: 'GET https://s3.amazonaws.com/b/o?X-Amz-Signature=0a1b2c3d4e5f60718293&access_token=tok_ABC123xyz789 200',
    secrets: ['0a1b2c3d4e5f60718293', 'tok_ABC123xyz789'],
  },
  {
    name: 'password flag on a command line',
    text: 'exec mysql -u root --password=R00tPassw0rd! -h db',
    secrets: ['R00tPassw0rd!'],
  },
  {
    name: 'PII: e-mail, IPs and an AWS account id',
    text: 'user jane.doe@example.com from 203.0.113.42 (2001:db8::8a2e:370:7334) denied by arn:aws:iam::123456789012:role/app',
    secrets: [],
    pii: ['jane.doe@example.com', '203.0.113.42', '2001:db8::8a2e:370:7334', '123456789012'],
  },
];
