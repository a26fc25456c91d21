/**
 * Asks about code the user pasted: Python, Go, Rust, Java, TypeScript, SQL, shell, YAML and C++, short
 * snippets and whole functions, with the ask before or after the code, in a fence or not.
 */
import { F, L, M, family } from "./corpus.js";

export const pastedCode = [
    ...family("code_py", [
        [
            L,
            "add a docstring\n\n```python\ndef chunked(seq, size):\n    for i in range(0, len(seq), size):\n        yield seq[i:i + size]\n```",
        ],
        [
            M,
            "This raises KeyError when the header is missing. Make it return None instead and add tests for both cases.\n\n```python\ndef bearer_token(headers):\n    value = headers['Authorization']\n    scheme, _, token = value.partition(' ')\n    if scheme.lower() != 'bearer':\n        return None\n    return token\n```",
        ],
        [
            F,
            'We run this in 8 gunicorn workers and sometimes two invoices get the same number. Why, and how do we fix it for real?\n\n```python\ndef next_invoice_number(db):\n    row = db.execute("SELECT max(number) FROM invoices").fetchone()\n    n = (row[0] or 0) + 1\n    db.execute("INSERT INTO invoices(number) VALUES (?)", (n,))\n    db.commit()\n    return n\n```',
        ],
        [L, "def area(r):\n    return 3.14159 * r * r\n\nadd type hints"],
        [
            M,
            "refactor this so it isn't one 60-line function, keep behaviour the same\n\n```python\ndef process(path):\n    with open(path) as f:\n        rows = [l.strip().split(',') for l in f if l.strip()]\n    header, rows = rows[0], rows[1:]\n    out = []\n    for r in rows:\n        d = dict(zip(header, r))\n        if not d.get('email'):\n            continue\n        d['email'] = d['email'].lower()\n        if d.get('age'):\n            try:\n                d['age'] = int(d['age'])\n            except ValueError:\n                d['age'] = None\n        if d.get('country') in ('UK', 'GB'):\n            d['country'] = 'GB'\n        out.append(d)\n    seen = set()\n    uniq = []\n    for d in out:\n        if d['email'] in seen:\n            continue\n        seen.add(d['email'])\n        uniq.append(d)\n    return uniq\n```",
        ],
        [
            L,
            "what does this do\n```py\nfrom itertools import groupby\n[(k, len(list(g))) for k, g in groupby(sorted(words))]\n```",
        ],
        [
            M,
            "```python\nclass RateLimiter:\n    def __init__(self, per_minute):\n        self.per_minute = per_minute\n        self.calls = []\n\n    def allow(self):\n        now = time.time()\n        self.calls = [t for t in self.calls if now - t < 60]\n        if len(self.calls) < self.per_minute:\n            self.calls.append(now)\n            return True\n        return False\n```\nmake this per user (keyed by user id) and write pytest tests using a fake clock",
        ],
        [
            F,
            "Is there anything exploitable here? It's the endpoint our support staff use to download attachments.\n\n```python\n@app.route('/attachments/<path:name>')\n@login_required\ndef attachment(name):\n    base = '/srv/attachments'\n    return send_file(os.path.join(base, name))\n```",
        ],
        [
            L,
            "finish this\n```python\ndef is_palindrome(s: str) -> bool:\n    cleaned = ''.join(c.lower() for c in s if c.isalnum())\n```",
        ],
        [
            M,
            "Convert this to use asyncio and aiohttp, it fetches ~200 urls one at a time right now\n\n```python\nimport requests\n\ndef fetch_all(urls):\n    results = {}\n    for u in urls:\n        r = requests.get(u, timeout=10)\n        results[u] = r.status_code\n    return results\n```",
        ],
        [
            L,
            "rename `lst` to `prices` in this\n```python\ndef average(lst):\n    if not lst:\n        return 0\n    return sum(lst) / len(lst)\n```",
        ],
        [
            M,
            "pandas: this is slow on 5M rows, vectorize it\n```python\ndf['bucket'] = df.apply(lambda r: 'high' if r.amount > 1000 else ('mid' if r.amount > 100 else 'low'), axis=1)\n```",
        ],
    ]),
    ...family("code_go", [
        [
            F,
            "This cache is used from hundreds of goroutines and we see `fatal error: concurrent map writes` under load, but only in prod. Adding a mutex around Set made p99 terrible. What's the right design?\n\n```go\ntype Cache struct {\n\titems map[string]entry\n}\n\nfunc (c *Cache) Get(k string) (any, bool) {\n\te, ok := c.items[k]\n\tif !ok || time.Now().After(e.exp) {\n\t\treturn nil, false\n\t}\n\treturn e.v, true\n}\n\nfunc (c *Cache) Set(k string, v any, ttl time.Duration) {\n\tc.items[k] = entry{v: v, exp: time.Now().Add(ttl)}\n}\n```",
        ],
        [
            L,
            "add doc comments to the exported funcs\n\n```go\nfunc ParseDuration(s string) (time.Duration, error) {\n\treturn time.ParseDuration(strings.TrimSpace(s))\n}\n\nfunc MustParseDuration(s string) time.Duration {\n\td, err := ParseDuration(s)\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\treturn d\n}\n```",
        ],
        [
            M,
            'write table-driven tests for this, including the error cases\n```go\nfunc SplitHostPort(addr string, defPort int) (string, int, error) {\n\thost, portStr, err := net.SplitHostPort(addr)\n\tif err != nil {\n\t\tif strings.Contains(err.Error(), "missing port") {\n\t\t\treturn addr, defPort, nil\n\t\t}\n\t\treturn "", 0, err\n\t}\n\tport, err := strconv.Atoi(portStr)\n\tif err != nil || port <= 0 || port > 65535 {\n\t\treturn "", 0, fmt.Errorf("bad port %q", portStr)\n\t}\n\treturn host, port, nil\n}\n```',
        ],
        [L, "gofmt this pls\n```go\nfunc max(a,b int)int{\nif a>b{return a}\n  return b}\n```"],
        [
            M,
            'add context cancellation to this worker loop so it stops when ctx is done\n```go\nfunc (w *Worker) Run() {\n\tfor {\n\t\tjob := <-w.jobs\n\t\tif err := w.handle(job); err != nil {\n\t\t\tlog.Printf("job %s: %v", job.ID, err)\n\t\t}\n\t}\n}\n```',
        ],
        [
            F,
            "Sometimes this hangs forever on shutdown. Not always, maybe one deploy in ten. Can you figure out why?\n\n```go\nfunc (s *Server) Shutdown() {\n\tclose(s.quit)\n\ts.wg.Wait()\n\tclose(s.results)\n}\n\nfunc (s *Server) worker() {\n\tdefer s.wg.Done()\n\tfor {\n\t\tselect {\n\t\tcase <-s.quit:\n\t\t\treturn\n\t\tcase req := <-s.requests:\n\t\t\ts.results <- s.process(req)\n\t\t}\n\t}\n}\n```",
        ],
        [L, "what does the underscore mean here `for _, v := range items`"],
        [
            M,
            'this handler returns 200 even when the db insert fails, fix the error handling\n```go\nfunc createUser(w http.ResponseWriter, r *http.Request) {\n\tvar u User\n\tjson.NewDecoder(r.Body).Decode(&u)\n\tdb.Exec("INSERT INTO users(name, email) VALUES($1, $2)", u.Name, u.Email)\n\tw.WriteHeader(200)\n}\n```',
        ],
    ]),
    ...family("code_rust", [
        [
            M,
            "the borrow checker hates this, how do I fix it without cloning the whole vec\n```rust\nfn longest<'a>(names: &'a mut Vec<String>) -> &'a str {\n    let mut best = &names[0];\n    for n in names.iter() {\n        if n.len() > best.len() {\n            best = n;\n        }\n    }\n    names.push(String::from(\"sentinel\"));\n    best\n}\n```",
        ],
        [
            L,
            "add rustdoc comments\n```rust\npub fn clamp(v: i64, lo: i64, hi: i64) -> i64 {\n    if v < lo { lo } else if v > hi { hi } else { v }\n}\n```",
        ],
        [
            F,
            "Is this lock-free stack actually safe? We're seeing rare corrupted pops under heavy contention.\n\n```rust\npub fn pop(&self) -> Option<T> {\n    loop {\n        let head = self.head.load(Ordering::Relaxed);\n        if head.is_null() {\n            return None;\n        }\n        let next = unsafe { (*head).next };\n        if self\n            .head\n            .compare_exchange(head, next, Ordering::Relaxed, Ordering::Relaxed)\n            .is_ok()\n        {\n            let node = unsafe { Box::from_raw(head) };\n            return Some(node.value);\n        }\n    }\n}\n```",
        ],
        [
            M,
            "implement Display and FromStr for this enum and add tests for round-tripping\n```rust\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub enum Level {\n    Trace,\n    Debug,\n    Info,\n    Warn,\n    Error,\n}\n```",
        ],
        [
            L,
            "```rust\nlet v: Vec<u32> = input.split(',').map(|s| s.trim().parse().unwrap()).collect();\n```\nwhat happens if one of the items isn't a number",
        ],
        [
            M,
            'Replace the unwraps with proper error handling using thiserror\n\n```rust\npub fn load(path: &Path) -> Config {\n    let text = fs::read_to_string(path).unwrap();\n    let cfg: Config = toml::from_str(&text).unwrap();\n    if cfg.workers == 0 {\n        panic!("workers must be > 0");\n    }\n    cfg\n}\n```',
        ],
    ]),
    ...family("code_java", [
        [
            L,
            'javadoc for this method\n```java\npublic static String mask(String card) {\n    if (card == null || card.length() < 4) return card;\n    return "*".repeat(card.length() - 4) + card.substring(card.length() - 4);\n}\n```',
        ],
        [
            F,
            "This singleton is used by our payment threads. Once in a while we get a NullPointerException deep inside getClient() right after startup. Explain what's going on and fix it.\n\n```java\npublic class GatewayClient {\n    private static GatewayClient instance;\n    private final HttpClient http;\n    private final Config config;\n\n    private GatewayClient() {\n        this.http = HttpClient.newHttpClient();\n        this.config = Config.load();\n    }\n\n    public static GatewayClient getClient() {\n        if (instance == null) {\n            synchronized (GatewayClient.class) {\n                if (instance == null) {\n                    instance = new GatewayClient();\n                }\n            }\n        }\n        return instance;\n    }\n}\n```",
        ],
        [
            M,
            'write JUnit 5 tests for this with Mockito for the repository\n```java\n@Service\npublic class TransferService {\n    private final AccountRepository accounts;\n\n    public TransferService(AccountRepository accounts) { this.accounts = accounts; }\n\n    @Transactional\n    public void transfer(long from, long to, BigDecimal amount) {\n        if (amount.signum() <= 0) throw new IllegalArgumentException("amount");\n        Account a = accounts.findById(from).orElseThrow();\n        Account b = accounts.findById(to).orElseThrow();\n        if (a.getBalance().compareTo(amount) < 0) throw new InsufficientFundsException();\n        a.setBalance(a.getBalance().subtract(amount));\n        b.setBalance(b.getBalance().add(amount));\n    }\n}\n```',
        ],
        [
            L,
            'rename the method getData to fetchOrders in this class\n```java\npublic class OrderClient {\n    public List<Order> getData(String customerId) {\n        return http.get("/orders?customer=" + customerId, ORDER_LIST);\n    }\n}\n```',
        ],
        [
            M,
            "convert this to use streams\n```java\nList<String> result = new ArrayList<>();\nfor (User u : users) {\n    if (u.isActive() && u.getAge() >= 18) {\n        result.add(u.getEmail().toLowerCase());\n    }\n}\nCollections.sort(result);\n```",
        ],
    ]),
    ...family("code_sql_shell", [
        [
            M,
            "this query takes 40s, we have an index on orders(created_at). why isnt it used?\n```sql\nSELECT c.name, SUM(o.total)\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nWHERE date(o.created_at) = '2024-05-01'\nGROUP BY c.name;\n```",
        ],
        [
            L,
            "format this sql\nselect id,name,email from users where active=true and created_at>'2024-01-01' order by name",
        ],
        [
            M,
            "turn this into a parameterized query, its python + psycopg2\n```python\ncur.execute(f\"SELECT * FROM products WHERE category = '{cat}' AND price < {max_price}\")\n```",
        ],
        [
            M,
            "write a query: for each product, the month with the highest sales, ties broken by the earlier month. tables sales(product_id, sold_at, qty)",
        ],
        [L, "what does this do\n```bash\nfind . -name '*.log' -mtime +7 -exec rm {} \\;\n```"],
        [
            M,
            "this deploy script silently continues when the build fails, make it stop and print which step broke\n```bash\n#!/bin/bash\ncd /opt/app\ngit pull\nnpm ci\nnpm run build\npm2 restart app\n```",
        ],
        [
            L,
            "add comments to this crontab\n```\n*/5 * * * * /opt/scripts/healthcheck.sh\n0 3 * * * /opt/scripts/backup.sh\n0 0 * * 0 /opt/scripts/rotate-logs.sh\n```",
        ],
        [
            F,
            "We run this migration on a 2 TB postgres table with the app live. Will it lock? Give me a plan that doesn't take us down.\n```sql\nALTER TABLE events ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;\nCREATE INDEX idx_events_tenant ON events(tenant_id, created_at);\nALTER TABLE events ADD CONSTRAINT fk_tenant FOREIGN KEY (tenant_id) REFERENCES tenants(id);\n```",
        ],
    ]),
];
