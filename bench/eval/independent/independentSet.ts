/**
 * An evaluation set for the router written by hand, independently of the training-data generator
 * (models/router/build/buildDataset.ts): none of its templates, phrasings, word lists or code generators
 * are used. How it differs:
 * - wording: requests as people type them to coding agents (lower case, terse, "pls", questions, context
 *   first and the ask last), not the generator's imperative templates;
 * - shapes: agent requests as Claude Code and Codex send them: a long agent system prompt, a tool list
 *   (Read/Edit/Bash/Grep), multi-turn histories with tool calls and results, tool errors (one, or two in
 *   a row), pasted stack traces, diffs, multi-file excerpts and long files;
 * - hard cues without the generator's (and the rules') words: "intermittently", "one run in twenty",
 *   "only in prod" instead of "flaky", "race condition", "deadlock";
 * - no `hints` except where an agent would send them (a session id; a task type on two items).
 *
 * Labels follow the rubric in models/router/README.md (the lowest tier that handles the request), assigned
 * by the author per item, before the router was run on them. `npm run eval:router` reports agreement,
 * under-routing and cost on this set beside the held-out set.
 */
import type { DatasetItem } from "../../../models/router/build/buildDataset.js";
import { agent, diff, exchange, longModule, user } from "./shapes.js";

type Tier = DatasetItem["label"];

const items: DatasetItem[] = [];
let n = 0;
function add(category: string, label: Tier, request: DatasetItem["request"], outputTokens?: number): void {
    const output = outputTokens ?? { local: 150, mid: 600, frontier: 1500 }[label];
    items.push({
        id: `indep-${String(++n).padStart(3, "0")}`,
        category,
        label,
        request,
        output_tokens: output,
    });
}
// ---- local: mechanical, local, checkable at a glance -------------------------------------------------
add(
    "autocomplete",
    "local",
    user("finish this:\n\nexport function clamp(value: number, lo: number, hi: number): number {\n    "),
);
add(
    "autocomplete",
    "local",
    user("complete the body\n\ndef is_palindrome(s: str) -> bool:\n    # ignore case and spaces\n"),
);
add(
    "docstring",
    "local",
    user(
        "jsdoc for this pls\n\nexport function debounce(fn: () => void, ms: number) {\n  let t: NodeJS.Timeout | undefined;\n  return () => { clearTimeout(t); t = setTimeout(fn, ms); };\n}",
    ),
);
add(
    "docstring",
    "local",
    user(
        `add a one-line docstring to each function here\n\n${longModule(8).replaceAll("export function", "def").replaceAll(": string", "")}`,
    ),
);
add("rename", "local", user(`in this file rename usr to user everywhere, nothing else\n\n${longModule(40)}`));
add("rename", "local", agent("rename the `tmp` variable in src/io/writer.ts to `buffer`"));
add(
    "format",
    "local",
    user(
        'sort these imports alphabetically and group node builtins first\n\nimport { z } from "zod";\nimport path from "node:path";\nimport { Db } from "./db.js";\nimport fs from "node:fs";\nimport { log } from "./log.js";',
    ),
);
add("format", "local", user('pretty print this json\n{"a":1,"b":{"c":[1,2,3],"d":null},"e":"x"}'));
add("commit_message", "local", user(`commit msg for this diff pls\n\n${diff}`));
add("commit_message", "local", user(`write a short PR description for this change\n\n${diff}`));
add("explain", "local", user("what does Array.prototype.flatMap do, one sentence"));
add("explain", "local", user("whats the difference between == and === in js"));
add("explain", "local", user("what does this do?\n\nconst uniq = (xs) => [...new Set(xs)];"));
add("types", "local", user("add type hints\n\ndef area(w, h):\n    return w * h"));
add(
    "typo_fix",
    "local",
    user('typo in the message, fix it:\n\nthrow new Error("could not recieve the paylaod");'),
);
add(
    "typo_fix",
    "local",
    user(
        `the word "recieve" is misspelled somewhere in this file, fix every occurrence\n\n${longModule(30)}\n\n// we recieve the list from the api`,
    ),
);
add(
    "off_by_one",
    "local",
    user(
        "this skips the last item, why\n\nfor (let i = 0; i < items.length - 1; i++) total += items[i].price;",
    ),
);
add(
    "unit_tests",
    "local",
    user("one vitest test for this\n\nexport const isEven = (n: number) => n % 2 === 0;"),
);
add("boilerplate", "local", user("give me a .gitignore for a node + typescript project"));
add("boilerplate", "local", user("tsconfig for a node 20 esm library, strict"));
add("explain", "local", user("what's the flag for a case-insensitive regex in js"));
add(
    "comments",
    "local",
    agent(
        "add a comment above the retry loop in src/net/fetchWithRetry.ts saying why we wait longer each time",
    ),
);
add(
    "docs",
    "local",
    user(
        "write the usage section of the README from this --help output\n\nUsage: tidy [options] <dir>\n  -w, --write     rewrite files\n  -c, --check     exit 1 if changes needed\n  --ignore <glob> skip matching files",
    ),
);
add(
    "autocomplete",
    "local",
    user(
        'finish the switch\n\nfunction label(s: Status) {\n  switch (s) {\n    case "open": return "Open";\n',
        { hints: { task_type: "completion" } },
    ),
);

// ---- mid: one file or one function, with some reasoning ---------------------------------------------
add(
    "unit_tests",
    "mid",
    user(
        "write tests for this tokenizer: empty input, unicode, unterminated strings, escaped quotes\n\nexport function tokenize(src: string): Token[] {\n  const out: Token[] = [];\n  let i = 0;\n  while (i < src.length) {\n    const c = src[i];\n    if (c === '\"') { let j = i + 1; while (j < src.length && src[j] !== '\"') { if (src[j] === '\\\\') j++; j++; } out.push({ kind: 'str', text: src.slice(i, j + 1) }); i = j + 1; }\n    else if (/\\s/.test(c)) i++;\n    else { let j = i; while (j < src.length && !/[\\s\"]/.test(src[j])) j++; out.push({ kind: 'word', text: src.slice(i, j) }); i = j; }\n  }\n  return out;\n}",
    ),
);
add(
    "bug_fix",
    "mid",
    user(
        "getting this when the config file is empty, fix parseConfig\n\nTypeError: Cannot read properties of undefined (reading 'port')\n    at parseConfig (src/config.ts:14:22)\n    at main (src/index.ts:8:17)\n\nexport function parseConfig(text: string) {\n  const raw = yaml.load(text) as any;\n  return { port: raw.server.port ?? 8080, host: raw.server.host ?? 'localhost' };\n}",
    ),
);
add(
    "feature",
    "mid",
    user(
        "add cursor based pagination to this handler (limit + next cursor)\n\napp.get('/orders', async (req, res) => {\n  const rows = await db.query('SELECT * FROM orders ORDER BY created_at DESC');\n  res.json(rows);\n});",
    ),
);
add(
    "migration_single",
    "mid",
    user(
        "convert this file from callbacks to async/await\n\nconst fs = require('fs');\nfunction copyConfig(src, dst, cb) {\n  fs.readFile(src, 'utf8', (err, text) => {\n    if (err) return cb(err);\n    fs.writeFile(dst, text.replace(/DEBUG=1/, 'DEBUG=0'), (err2) => {\n      if (err2) return cb(err2);\n      fs.stat(dst, (err3, st) => cb(err3, st && st.size));\n    });\n  });\n}\nmodule.exports = { copyConfig };",
    ),
);
add(
    "query_regex",
    "mid",
    user(
        "sql: top 5 customers by revenue for each month, keep ties. tables orders(id, customer_id, total_cents, created_at), customers(id, name)",
    ),
);
add(
    "query_regex",
    "mid",
    user("regex that validates a semver string including prerelease and build metadata"),
);
add(
    "feature",
    "mid",
    user(
        "put an LRU cache (max 500 entries, 60s ttl) in front of this\n\nexport async function fetchUser(id: string): Promise<User> {\n  const r = await fetch(`${API}/users/${id}`);\n  if (!r.ok) throw new Error(`user ${id}: ${r.status}`);\n  return r.json();\n}",
    ),
);
add(
    "migration_single",
    "mid",
    user(
        "port to python 3\n\nimport urllib2\nprint 'fetching'\nresp = urllib2.urlopen('http://example.com/data.csv')\nfor line in resp.readlines():\n    cols = line.split(',')\n    print '%s -> %s' % (cols[0], cols[1])\nd = {}\nif d.has_key('x'): print d['x']",
    ),
);
add(
    "refactor_single",
    "mid",
    user(
        "turn this class component into a function component with hooks\n\nclass Timer extends React.Component {\n  state = { s: 0 };\n  componentDidMount() { this.id = setInterval(() => this.setState({ s: this.state.s + 1 }), 1000); }\n  componentWillUnmount() { clearInterval(this.id); }\n  render() { return <span>{this.state.s}s</span>; }\n}",
    ),
);
add(
    "security_single",
    "mid",
    user(
        "this builds the query from user input, parameterize it\n\nconst rows = await db.query(`SELECT * FROM products WHERE name LIKE '%${req.query.q}%' ORDER BY ${req.query.sort}`);",
    ),
);
add(
    "explain",
    "mid",
    user(
        `walk me through how retries work in this module\n\nexport class Client {\n  constructor(private opts: { retries: number; baseMs: number }) {}\n  async send(req: Req): Promise<Res> {\n    let attempt = 0;\n    for (;;) {\n      try { return await this.once(req); }\n      catch (e) {\n        if (!isRetryable(e) || attempt++ >= this.opts.retries) throw e;\n        await sleep(this.opts.baseMs * 2 ** attempt * (0.5 + Math.random()));\n      }\n    }\n  }\n}`,
    ),
);
add(
    "types",
    "mid",
    user("write DeepPartial<T> in typescript that handles arrays, readonly arrays and functions correctly"),
);
add(
    "agent_turn",
    "mid",
    agent("add a --dry-run flag to the release script and make it print what it would publish", [
        ...exchange(
            "Read",
            { path: "scripts/release.ts" },
            "import { publish } from './npm.js';\nconst pkgs = await listPackages();\nfor (const p of pkgs) await publish(p);",
        ),
        ...exchange(
            "Bash",
            { command: "pnpm test scripts" },
            "FAIL scripts/release.test.ts > publishes every package\nExpected 3 calls, received 0",
            true,
        ),
    ]),
);
add(
    "feature",
    "mid",
    user(
        "add exponential backoff with jitter to this http client, max 5 tries, respect Retry-After\n\nexport async function get(url: string) {\n  const r = await fetch(url);\n  if (!r.ok) throw new HttpError(r.status);\n  return r.json();\n}",
    ),
);
add(
    "unit_tests",
    "mid",
    user(
        'table driven tests in go for this\n\nfunc ParseDuration(s string) (time.Duration, error) {\n\tif strings.HasSuffix(s, "d") {\n\t\tn, err := strconv.Atoi(strings.TrimSuffix(s, "d"))\n\t\tif err != nil { return 0, err }\n\t\treturn time.Duration(n) * 24 * time.Hour, nil\n\t}\n\treturn time.ParseDuration(s)\n}',
    ),
);
add("unit_tests", "mid", agent("the upload tests hit real S3; mock the client in test/upload.test.ts"));
add(
    "bug_fix",
    "mid",
    user(
        "why does this sometimes return undefined\n\nfunction findPrice(items, sku) {\n  items.forEach(item => {\n    if (item.sku === sku) return item.price;\n  });\n}",
    ),
);
add(
    "migration_single",
    "mid",
    user(
        "convert this express middleware to a fastify onRequest hook\n\nexport function auth(req, res, next) {\n  const token = req.headers.authorization?.split(' ')[1];\n  if (!token) return res.status(401).json({ error: 'missing token' });\n  try { req.user = jwt.verify(token, SECRET); next(); }\n  catch { res.status(401).json({ error: 'bad token' }); }\n}",
    ),
);
add(
    "types",
    "mid",
    user(
        "conditional type: given a function type, get what its promise resolves to, or the plain return type if it's sync",
    ),
);
add(
    "agent_turn",
    "mid",
    agent("the lint step fails on CI, fix it", [
        ...exchange(
            "Bash",
            { command: "pnpm lint" },
            "src/api/users.ts\n  41:7  error  'page' is assigned a value but never used  no-unused-vars\n  88:3  error  Unexpected floating promise  @typescript-eslint/no-floating-promises",
            true,
        ),
    ]),
);

// ---- frontier: design judgement, whole-system context, adversarial thinking ----------------------------
add(
    "architecture",
    "frontier",
    user("how do we make sure a job runs exactly once when our workers are in two regions?"),
);
add(
    "architecture",
    "frontier",
    user(
        "write an RFC for moving billing out of the monolith into an event-sourced service. we have ~40 call sites and nightly invoicing",
    ),
);
add(
    "architecture",
    "frontier",
    user(
        "design the permission model for multi-tenant workspaces: sharing across tenants, per-folder overrides, audit log",
    ),
);
add(
    "security",
    "frontier",
    user(
        "is this auth middleware safe? look for anything exploitable\n\nexport function auth(req, res, next) {\n  const [scheme, token] = (req.headers.authorization || '').split(' ');\n  const claims = jwt.decode(token);\n  if (claims && claims.exp > Date.now() / 1000) { req.user = claims; return next(); }\n  if (req.query.debug === process.env.DEBUG_KEY) return next();\n  res.sendStatus(401);\n}",
    ),
);
add(
    "security",
    "frontier",
    user(
        "threat model our webhook receiver: it takes POSTs from 3 partners, verifies an hmac header, queues the body and a worker fetches the urls in it",
    ),
);
add(
    "concurrency",
    "frontier",
    user(
        "tests pass locally but fail about one run in twenty on CI. they share a postgres db and use fake timers. where do I even start\n\ndescribe('renewals', () => {\n  beforeEach(() => vi.useFakeTimers());\n  it('renews before expiry', async () => {\n    await createSub(db, { expiresAt: Date.now() + 1000 });\n    vi.advanceTimersByTime(900);\n    await runScheduler(db);\n    expect(await getSub(db)).toMatchObject({ renewed: true });\n  });\n});",
    ),
);
add(
    "performance",
    "frontier",
    user(
        "after upgrading the ORM our p99 went from 80ms to 900ms but only under load, p50 unchanged. pool size 20, 600 rps, flame graph shows time in the driver's queue. what's going on and what do we do",
    ),
);
add(
    "production",
    "frontier",
    user(
        "memory grows ~200MB a day in prod and never in staging. heap snapshots show growing Map entries keyed by request id from the tracing lib. we deploy daily so it never OOMs except on weekends",
    ),
);
add(
    "concurrency",
    "frontier",
    user(
        "is this lock-free stack linearizable? if not show the interleaving\n\nclass Stack<T> {\n  head = new AtomicRef<Node<T> | null>(null);\n  push(v: T) { const n = { v, next: null as Node<T> | null }; do { n.next = this.head.get(); } while (!this.head.cas(n.next, n)); }\n  pop(): T | undefined { let h; do { h = this.head.get(); if (!h) return; } while (!this.head.cas(h, h.next)); return h.v; }\n}",
    ),
);
add(
    "concurrency",
    "frontier",
    user(
        "review our redis lock for correctness when the primary fails over\n\nasync function withLock(key, fn) {\n  const ok = await redis.set(key, id, 'NX', 'PX', 30000);\n  if (!ok) throw new Busy();\n  try { return await fn(); } finally { if (await redis.get(key) === id) await redis.del(key); }\n}",
    ),
);
add(
    "multi_file_refactor",
    "frontier",
    user(
        "packages/core imports from packages/api which imports from packages/jobs which imports core again. break the cycle\n\n// packages/core/src/user.ts\nimport { notify } from '@acme/api/notify';\nexport function deactivate(u) { u.active = false; notify(u, 'deactivated'); }\n\n// packages/api/src/notify.ts\nimport { enqueue } from '@acme/jobs';\nexport function notify(u, ev) { enqueue('email', { to: u.email, ev }); }\n\n// packages/jobs/src/index.ts\nimport { loadUser } from '@acme/core';\nexport function enqueue(kind, payload) { /* ... */ }\nexport async function run(job) { const u = await loadUser(job.payload.to); /* ... */ }",
    ),
);
add(
    "multi_file_refactor",
    "frontier",
    agent(
        "move the payment retry logic out of these four files into one PaymentRetryService and update every caller",
        [
            ...exchange(
                "Grep",
                { pattern: "retryPayment" },
                "src/checkout/submit.ts:88\nsrc/subscriptions/renew.ts:41\nsrc/admin/refund.ts:120\nsrc/webhooks/stripe.ts:63\nsrc/payments/retry.ts:1",
            ),
            ...exchange(
                "Read",
                { path: "src/payments/retry.ts" },
                "export async function retryPayment(p, opts) {\n  // 140 lines: backoff, idempotency keys, ledger writes\n}",
            ),
        ],
    ),
);
add(
    "migration_wide",
    "frontier",
    user(
        "we want to replace moment with Temporal across the whole codebase (about 300 files, some persisted strings). plan it and sketch the codemod",
    ),
);
add(
    "migration_wide",
    "frontier",
    user(
        "we need to split the users table across two postgres clusters without downtime. reads and writes come from 12 services. plan the migration",
    ),
);
add(
    "agent_stalled",
    "frontier",
    agent("fix the failing integration test", [
        ...exchange(
            "Bash",
            { command: "pnpm test test/integration/sync.test.ts" },
            "FAIL sync.test.ts > converges after partition\nExpected replicas to agree, got [3, 4]",
            true,
        ),
        ...exchange("Edit", { path: "src/sync/merge.ts", old: "a.v > b.v", new: "a.v >= b.v" }, "ok"),
        ...exchange(
            "Bash",
            { command: "pnpm test test/integration/sync.test.ts" },
            "FAIL sync.test.ts > converges after partition\nExpected replicas to agree, got [4, 3]",
            true,
        ),
    ]),
);
add(
    "agent_stalled",
    "frontier",
    agent("the deploy keeps failing, get it green", [
        ...exchange(
            "Bash",
            { command: "pnpm build" },
            "error TS2589: Type instantiation is excessively deep and possibly infinite.",
            true,
        ),
        ...exchange(
            "Bash",
            { command: "pnpm build --force" },
            "error TS2589: Type instantiation is excessively deep and possibly infinite.",
            true,
        ),
    ]),
);
add(
    "concurrency",
    "frontier",
    agent("orders are charged twice intermittently when users double-click pay. only in prod. find out why", [
        ...exchange(
            "Read",
            { path: "src/checkout/submit.ts" },
            "export async function submit(order) {\n  if (order.status === 'paid') return;\n  const charge = await stripe.charges.create({ amount: order.total });\n  await db.orders.update(order.id, { status: 'paid', chargeId: charge.id });\n}",
        ),
    ]),
);

export const independentSet: readonly DatasetItem[] = items;
