/**
 * What the generated metric lines are about (generate-metrics.ts writes them): the dimension pools of a small
 * online shop on Kubernetes (regions, services and their endpoints, hosts, pods, JVM pools, shops with names that
 * need escaping), and the catalogue of its metric keys, each with its payload kind, how many distinct dimension
 * tuples it has, how one tuple is drawn, a typical value and its metadata. Data: changing it changes the generated
 * bytes, so bump GENERATOR_VERSION with it.
 */
import type { Rng } from './rng.ts';

/** A quoted dimension value: `"` and `\` escaped with a backslash (DOC D1). */
export const quote = (v: string): string => '"' + v.replace(/[\\"]/g, '\\$&') + '"';
/** An unquoted dimension value: `,` `=` space `\` `"` escaped with a backslash (every Dynatrace library). */
const bare = (v: string): string => v.replace(/[\\,= "]/g, '\\$&');

// ------------------------------------------------------------------ dimension pools

export const REGIONS = ['eu-west-1', 'eu-central-1', 'us-east-1', 'us-west-2', 'ap-southeast-2', 'sa-east-1'] as const;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
const STATUSES = ['200', '200', '200', '200', '201', '204', '301', '400', '401', '404', '429', '500', '503'] as const;

const SERVICES: ReadonlyArray<{ name: string; endpoints: readonly string[] }> = [
  {
    name: 'checkout',
    endpoints: ['/api/v1/checkout', '/api/v1/checkout/{id}', '/api/v1/checkout/{id}/confirm', '/health'],
  },
  {
    name: 'cart',
    endpoints: [
      '/api/v1/cart',
      '/api/v1/cart/{id}',
      '/api/v1/cart/{id}/items',
      '/api/v1/cart/{id}/items/{itemId}',
      '/health',
    ],
  },
  {
    name: 'payment',
    endpoints: ['/api/v2/payments', '/api/v2/payments/{id}', '/api/v2/refunds', '/webhooks/psp', '/health'],
  },
  {
    name: 'catalog',
    endpoints: [
      '/api/v1/products',
      '/api/v1/products/{sku}',
      '/api/v1/categories',
      '/api/v1/categories/{slug}/products',
      '/health',
    ],
  },
  { name: 'search', endpoints: ['/api/v1/search', '/api/v1/search/suggest', '/api/v1/search/facets', '/health'] },
  { name: 'recommendation', endpoints: ['/api/v1/recommendations', '/api/v1/recommendations/{userId}', '/health'] },
  { name: 'shipping', endpoints: ['/api/v1/quotes', '/api/v1/shipments', '/api/v1/shipments/{id}/track', '/health'] },
  {
    name: 'auth',
    endpoints: ['/oauth2/token', '/oauth2/authorize', '/oauth2/userinfo', '/.well-known/jwks.json', '/health'],
  },
  {
    name: 'user-profile',
    endpoints: ['/api/v1/users/{id}', '/api/v1/users/{id}/addresses', '/api/v1/users/{id}/preferences', '/health'],
  },
  {
    name: 'inventory',
    endpoints: ['/api/v1/stock/{sku}', '/api/v1/reservations', '/api/v1/reservations/{id}', '/health'],
  },
  { name: 'notification', endpoints: ['/api/v1/emails', '/api/v1/push', '/api/v1/sms', '/health'] },
  { name: 'frontend', endpoints: ['/', '/product/{sku}', '/cart', '/checkout', '/account', '/static/{asset}'] },
];
const SERVICE_NAMES = SERVICES.map((s) => s.name);

const JVM_POOLS = [
  ['heap', 'G1 Eden Space'],
  ['heap', 'G1 Old Gen'],
  ['heap', 'G1 Survivor Space'],
  ['nonheap', 'Metaspace'],
  ['nonheap', 'Compressed Class Space'],
  ['nonheap', "CodeHeap 'non-nmethods'"],
  ['nonheap', "CodeHeap 'profiled nmethods'"],
  ['nonheap', "CodeHeap 'non-profiled nmethods'"],
] as const;

const SHOPS = [
  'Café Müller',
  'Bäckerei "Zum Glück"',
  'Łódź Outlet',
  'Tokyo 渋谷 Store',
  "O'Brien & Sons",
  'Main St. Books, Inc.',
  'Stadtmitte',
  'Flagship NYC',
  'Outlet = Sale',
];
const COUNTRIES = ['DE', 'AT', 'CH', 'FR', 'PL', 'JP', 'US', 'GB', 'BR', 'AU'] as const;
const NAMESPACES = [
  'shop-prod',
  'shop-staging',
  'payments',
  'search',
  'platform',
  'observability',
  'kube-system',
] as const;
const TOPICS = [
  'orders',
  'payments',
  'shipments',
  'inventory-events',
  'user-events',
  'emails',
  'search-index',
  'audit-log',
] as const;

export interface Host {
  name: string;
  region: string;
  entity: string;
}

export function makeHosts(r: Rng): Host[] {
  const hosts: Host[] = [];
  for (let i = 0; i < 48; i++) {
    const region = REGIONS[i % REGIONS.length] as string;
    hosts.push({
      name: `ip-10-${i % 4}-${r.between(1, 254)}-${r.between(1, 254)}.${region}.compute.internal`,
      region,
      entity: `HOST-${r.hex(16, true)}`,
    });
  }
  return hosts;
}

// ------------------------------------------------------------------ metric keys

export type PayloadKind = 'gauge' | 'summary' | 'count';

export interface MetricDef {
  key: string;
  kind: PayloadKind;
  /** Distinct dimension tuples. */
  series: number;
  /** One tuple, `,key=value…`, drawn at random (duplicates are redrawn). */
  tuple: (r: Rng, hosts: readonly Host[]) => string;
  /** A typical value: the gauge, the summary's scale, or the count's delta. */
  value: (r: Rng) => number;
  decimals: number;
  meta?: { unit: string; displayName: string };
}

const svc = (r: Rng): { name: string; endpoints: readonly string[] } => r.pick(SERVICES);

/** The dimensions of a Kubernetes pod's series (shared by the pod metrics). */
function podTuple(r: Rng): string {
  const deployment = r.pick(SERVICE_NAMES);
  return `,k8s.namespace.name=${r.pick(NAMESPACES)},k8s.pod.name=${deployment}-${r.hex(10)}-${r.alnum(5)},k8s.container.name=${deployment},k8s.cluster.name=${r.pick(['prod-eu', 'prod-us', 'staging'])}`;
}

export const METRICS: readonly MetricDef[] = [
  {
    key: 'http.server.request.duration',
    kind: 'summary',
    series: 2400,
    tuple: (r) => {
      const s = svc(r);
      return `,service=${s.name},endpoint=${quote(r.pick(s.endpoints))},method=${r.pick(METHODS)},status=${r.pick(STATUSES)},region=${r.pick(REGIONS)},dt.metrics.source=opentelemetry`;
    },
    value: (r) => 5 + r.next() * 400,
    decimals: 3,
    meta: { unit: 'MilliSecond', displayName: 'HTTP server request duration' },
  },
  {
    key: 'http.server.requests',
    kind: 'count',
    series: 1800,
    tuple: (r) => {
      const s = svc(r);
      return `,service=${s.name},endpoint=${quote(r.pick(s.endpoints))},method=${r.pick(METHODS)},status=${r.pick(STATUSES)},region=${r.pick(REGIONS)}`;
    },
    value: (r) => r.between(0, 900),
    decimals: 0,
  },
  {
    key: 'http.server.active_requests',
    kind: 'gauge',
    series: 240,
    tuple: (r, hosts) => {
      const h = r.pick(hosts);
      return `,service=${r.pick(SERVICE_NAMES)},host=${h.name},region=${h.region}`;
    },
    value: (r) => r.between(0, 120),
    decimals: 0,
    meta: { unit: 'Count', displayName: 'Active HTTP requests' },
  },
  {
    key: 'http.client.request.duration',
    kind: 'summary',
    series: 600,
    tuple: (r) =>
      `,service=${r.pick(SERVICE_NAMES)},peer.service=${r.pick(SERVICE_NAMES)},method=${r.pick(METHODS)},status=${r.pick(STATUSES)}`,
    value: (r) => 2 + r.next() * 250,
    decimals: 3,
  },
  {
    key: 'rpc.server.duration',
    kind: 'summary',
    series: 300,
    tuple: (r) =>
      `,service=${r.pick(SERVICE_NAMES)},rpc.system=grpc,rpc.method=${r.pick(['grpc.health.v1.Health/Check', 'shop.cart.v1.CartService/GetCart', 'shop.cart.v1.CartService/AddItem', 'shop.payment.v1.Payments/Charge', 'shop.catalog.v1.Catalog/ListProducts'])},rpc.grpc.status_code=${r.pick(['0', '0', '0', '1', '4', '5', '13', '14'])},region=${r.pick(REGIONS)}`,
    value: (r) => 1 + r.next() * 80,
    decimals: 3,
  },
  {
    key: 'jvm.memory.used',
    kind: 'gauge',
    series: 768,
    tuple: (r, hosts) => {
      const [area, pool] = r.pick(JVM_POOLS);
      return `,service=${r.pick(SERVICE_NAMES)},host=${r.pick(hosts).name},area=${area},id=${bare(pool)}`;
    },
    value: (r) => r.between(8, 4096) * 1_048_576 + r.int(1_048_576),
    decimals: 0,
    meta: { unit: 'Byte', displayName: 'JVM memory used' },
  },
  {
    key: 'jvm.gc.pause',
    kind: 'summary',
    series: 400,
    tuple: (r, hosts) =>
      `,service=${r.pick(SERVICE_NAMES)},host=${r.pick(hosts).name},gc=${bare(r.pick(['G1 Young Generation', 'G1 Old Generation', 'G1 Concurrent GC']))},action=${quote(r.pick(['end of minor GC', 'end of major GC', 'end of concurrent GC pause']))}`,
    value: (r) => 0.5 + r.next() * 60,
    decimals: 3,
    meta: { unit: 'MilliSecond', displayName: 'JVM GC pause' },
  },
  {
    key: 'jvm.threads.live',
    kind: 'gauge',
    series: 180,
    tuple: (r, hosts) => `,service=${r.pick(SERVICE_NAMES)},host=${r.pick(hosts).name}`,
    value: (r) => r.between(20, 400),
    decimals: 0,
  },
  {
    key: 'process.cpu.usage',
    kind: 'gauge',
    series: 200,
    tuple: (r, hosts) => {
      const h = r.pick(hosts);
      return `,service=${r.pick(SERVICE_NAMES)},host=${h.name},dt.entity.host=${h.entity}`;
    },
    value: (r) => r.next() * 100,
    decimals: 2,
    meta: { unit: 'Percent', displayName: 'Process CPU usage' },
  },
  {
    key: 'system.cpu.utilization',
    kind: 'gauge',
    series: 800,
    tuple: (r, hosts) => {
      const h = r.pick(hosts);
      return `,host=${h.name},dt.entity.host=${h.entity},cpu=cpu${r.int(8)},state=${r.pick(['user', 'system', 'idle', 'iowait', 'steal'])}`;
    },
    value: (r) => r.next() * 100,
    decimals: 1,
    meta: { unit: 'Percent', displayName: 'CPU utilization' },
  },
  {
    key: 'system.memory.usage',
    kind: 'gauge',
    series: 192,
    tuple: (r, hosts) => {
      const h = r.pick(hosts);
      return `,host=${h.name},dt.entity.host=${h.entity},state=${r.pick(['used', 'free', 'cached', 'buffered'])}`;
    },
    value: (r) => r.between(64, 65_536) * 1_048_576,
    decimals: 0,
    meta: { unit: 'Byte', displayName: 'Memory usage' },
  },
  {
    key: 'system.disk.io',
    kind: 'count',
    series: 288,
    tuple: (r, hosts) =>
      `,host=${r.pick(hosts).name},device=${r.pick(['nvme0n1', 'nvme1n1', 'sda', 'xvda', 'dm-0', 'loop0'])},direction=${r.pick(['read', 'write'])}`,
    value: (r) => r.between(0, 80_000_000),
    decimals: 0,
  },
  {
    key: 'system.network.io',
    kind: 'count',
    series: 192,
    tuple: (r, hosts) =>
      `,host=${r.pick(hosts).name},interface=${r.pick(['eth0', 'ens5', 'lo', 'docker0'])},direction=${r.pick(['transmit', 'receive'])}`,
    value: (r) => r.between(0, 200_000_000),
    decimals: 0,
  },
  {
    key: 'system.filesystem.usage',
    kind: 'gauge',
    series: 240,
    tuple: (r, hosts) => {
      const mount = r.pick(['/', '/var/lib/docker', '/data', '/var/log', 'C:\\', 'D:\\Data']);
      const value = r.chance(0.5) ? quote(mount) : bare(mount);
      return `,host=${r.pick(hosts).name},mountpoint=${value},state=${r.pick(['used', 'free', 'reserved'])}`;
    },
    value: (r) => r.between(1, 2_000_000) * 4096,
    decimals: 0,
    meta: { unit: 'Byte', displayName: 'Filesystem usage' },
  },
  {
    key: 'db.client.connections.usage',
    kind: 'gauge',
    series: 72,
    tuple: (r) =>
      `,service=${r.pick(SERVICE_NAMES)},pool.name=${bare(r.pick(['HikariPool-1,primary', 'HikariPool-2,replica', 'pgbouncer']))},state=${r.pick(['idle', 'used'])}`,
    value: (r) => r.between(0, 50),
    decimals: 0,
  },
  {
    key: 'db.client.operation.duration',
    kind: 'summary',
    series: 500,
    tuple: (r) => {
      const statement = r.pick([
        'SELECT "id", "total" FROM "orders" WHERE "status" = $1',
        'UPDATE "cart_items" SET "qty" = $1 WHERE "id" = $2',
        'INSERT INTO audit_log (actor, action, payload) VALUES (?, ?, ?)',
        'SELECT * FROM products WHERE sku IN (?, ?, ?)',
        'DELETE FROM sessions WHERE expires_at < now()',
        'GET session:{id}',
        "SELECT name FROM users WHERE path LIKE 'C:\\Users\\%'",
      ]);
      return `,service=${r.pick(SERVICE_NAMES)},db.system=${r.pick(['postgresql', 'mysql', 'redis'])},db.statement=${quote(statement)},db.name=${r.pick(['shop', 'payments', 'sessions', 'catalog'])},region=${r.pick(REGIONS)}`;
    },
    value: (r) => 0.2 + r.next() * 40,
    decimals: 3,
    meta: { unit: 'MilliSecond', displayName: 'Database operation duration' },
  },
  {
    key: 'messaging.kafka.consumer.lag',
    kind: 'gauge',
    series: 384,
    tuple: (r) =>
      `,topic=${r.pick(TOPICS)},partition=${r.int(12)},consumer.group=${r.pick(['order-processor', 'indexer', 'mailer', 'analytics-etl'])}`,
    value: (r) => (r.chance(0.8) ? r.between(0, 50) : r.between(50, 250_000)),
    decimals: 0,
  },
  {
    key: 'messaging.kafka.messages.consumed',
    kind: 'count',
    series: 32,
    tuple: (r) =>
      `,topic=${r.pick(TOPICS)},consumer.group=${r.pick(['order-processor', 'indexer', 'mailer', 'analytics-etl'])}`,
    value: (r) => r.between(0, 5000),
    decimals: 0,
  },
  {
    key: 'cache.requests',
    kind: 'count',
    series: 72,
    tuple: (r) =>
      `,service=${r.pick(SERVICE_NAMES)},cache=${r.pick(['sessions', 'products', 'prices'])},result=${r.pick(['hit', 'miss'])}`,
    value: (r) => r.between(0, 3000),
    decimals: 0,
  },
  {
    key: 'business.orders.placed',
    kind: 'count',
    series: 800,
    tuple: (r) => {
      const shop = r.pick(SHOPS);
      return `,shop=${r.chance(0.7) ? quote(shop) : bare(shop)},country=${r.pick(COUNTRIES)},payment.method=${r.pick(['card', 'paypal', 'invoice', 'klarna', 'apple-pay'])},channel=${r.pick(['web', 'ios', 'android', 'pos'])}`;
    },
    value: (r) => r.between(0, 40),
    decimals: 0,
  },
  {
    key: 'business.checkout.value',
    kind: 'gauge',
    series: 540,
    tuple: (r) =>
      `,shop=${quote(r.pick(SHOPS))},country=${r.pick(COUNTRIES)},currency=${r.pick(['EUR', 'USD', 'JPY', 'GBP', 'PLN', 'BRL'])}`,
    value: (r) => r.next() * 500,
    decimals: 2,
    meta: { unit: 'Unspecified', displayName: 'Checkout value ("basket")' },
  },
  {
    key: 'k8s.pod.cpu.usage',
    kind: 'gauge',
    series: 3000,
    tuple: podTuple,
    value: (r) => r.next() * 2,
    decimals: 4,
    meta: { unit: 'Unspecified', displayName: 'Pod CPU usage (cores)' },
  },
  {
    key: 'k8s.pod.memory.working_set',
    kind: 'gauge',
    series: 3000,
    tuple: podTuple,
    value: (r) => r.between(16, 4096) * 1_048_576,
    decimals: 0,
  },
  {
    key: 'k8s.container.restarts',
    kind: 'count',
    series: 600,
    tuple: (r) => {
      const deployment = r.pick(SERVICE_NAMES);
      return `,k8s.namespace.name=${r.pick(NAMESPACES)},k8s.pod.name=${deployment}-${r.hex(10)}-${r.alnum(5)},k8s.container.name=${deployment}`;
    },
    value: (r) => (r.chance(0.97) ? 0 : r.between(1, 3)),
    decimals: 0,
  },
  {
    key: 'synthetic.monitor.availability',
    kind: 'gauge',
    series: 20,
    tuple: (r) =>
      `,monitor=${quote(r.pick(['Login → Checkout flow', 'Homepage', 'Search "shoes"', 'API health \\ v2', 'Store locator']))},location=${bare(r.pick(['Frankfurt (AWS)', 'N. Virginia (AWS)', 'Sydney (Azure)', 'São Paulo (GCP)']))}`,
    value: (r) => (r.chance(0.95) ? 100 : r.next() * 100),
    decimals: 1,
    meta: { unit: 'Percent', displayName: 'Synthetic availability' },
  },
  {
    key: 'log.errors',
    kind: 'count',
    series: 120,
    tuple: (r) =>
      `,service=${r.pick(SERVICE_NAMES)},log.source=${quote(r.pick(['C:\\Program Files\\Shop\\logs\\app.log', '/var/log/shop/app.log', '/var/log/nginx/error.log', 'journald']))},loglevel=${r.pick(['ERROR', 'WARN', 'FATAL'])}`,
    value: (r) => r.between(0, 25),
    decimals: 0,
  },
  {
    key: 'queue.message_count',
    kind: 'gauge',
    series: 48,
    tuple: (r) =>
      `,queue.name=${r.pick(['emails', 'sms', 'invoices', 'exports', 'webhooks', 'thumbnails'])},broker=${r.pick(['rabbitmq-0', 'rabbitmq-1', 'sqs'])},vhost=${bare(r.pick(['/', '/shop', '/shop/internal']))}`,
    value: (r) => r.between(0, 10_000),
    decimals: 0,
  },
  {
    key: 'nginx.upstream.response_time',
    kind: 'summary',
    series: 300,
    tuple: (r) =>
      `,upstream=${r.pick(SERVICE_NAMES)},server=10.0.${r.int(4)}.${r.between(2, 250)}:${r.pick(['8080', '8443', '9000'])},status=${r.pick(STATUSES)}`,
    value: (r) => 1 + r.next() * 300,
    decimals: 3,
  },
  {
    key: 'windows.perf.processor_time',
    kind: 'gauge',
    series: 40,
    tuple: (r) =>
      `,host=${bare(`WIN-${r.hex(7, true)}`)},counter=${quote(r.pick(['\\Processor(_Total)\\% Processor Time', '\\Processor(0)\\% Processor Time', '\\Processor(1)\\% User Time']))}`,
    value: (r) => r.next() * 100,
    decimals: 2,
  },
  {
    key: 'batch.job.duration',
    kind: 'summary',
    series: 30,
    tuple: (r) =>
      `,job=${r.pick(['nightly-export', 'price-sync', 'sitemap', 'cleanup-sessions', 'reindex', 'invoice-run'])},schedule=${quote(r.pick(['0 */5 * * *', '*/15 * * * *', '0 3 * * *', '30 2 * * 1-5', '@hourly']))}`,
    value: (r) => 1000 + r.next() * 600_000,
    decimals: 3,
  },
  {
    key: 'app.users.active',
    kind: 'gauge',
    series: 18,
    tuple: (r) => `,region=${r.pick(REGIONS)},plan=${r.pick(['free', 'pro', 'enterprise'])}`,
    value: (r) => r.between(0, 20_000),
    decimals: 0,
    meta: { unit: 'Count', displayName: 'Active users' },
  },
];
