/**
 * Pasted stack traces, log output and diffs, with the ask around them: a commit message for a diff is
 * local however long the diff, a crash in one function is mid, a failure that only shows under load or
 * now and then is frontier.
 */
import { F, L, M, family } from "./corpus.js";

const smallDiff = `diff --git a/src/config.ts b/src/config.ts
index 3b1f2a0..8c4d9e1 100644
--- a/src/config.ts
+++ b/src/config.ts
@@ -12,7 +12,8 @@ export const defaults = {
   port: 3000,
-  timeoutMs: 5000,
+  timeoutMs: 15000,
+  retries: 3,
   logLevel: "info",
 };
`;

const authDiff = `diff --git a/api/middleware/auth.py b/api/middleware/auth.py
index 91aa0c2..f00d1e7 100644
--- a/api/middleware/auth.py
+++ b/api/middleware/auth.py
@@ -18,14 +18,16 @@ def authenticate(request):
     token = request.headers.get("Authorization", "").removeprefix("Bearer ")
-    try:
-        claims = jwt.decode(token, settings.JWT_KEY, algorithms=["HS256"])
-    except jwt.InvalidTokenError:
-        raise Unauthorized()
+    header = jwt.get_unverified_header(token)
+    key = settings.JWT_KEYS.get(header.get("kid"), settings.JWT_KEY)
+    claims = jwt.decode(token, key, algorithms=[header.get("alg", "HS256")])
+    if claims.get("impersonate") and request.user_is_staff:
+        claims["sub"] = claims["impersonate"]
     request.user_id = claims["sub"]
diff --git a/api/settings.py b/api/settings.py
@@ -40,3 +40,5 @@ JWT_KEY = env("JWT_KEY")
+JWT_KEYS = json.loads(env("JWT_KEYS", "{}"))
`;

const renameDiff = `diff --git a/lib/billing/invoice.rb b/lib/billing/invoice.rb
@@ -1,9 +1,9 @@
 module Billing
-  class Invoce
-    def initialize(customer, lines)
+  class Invoice
+    def initialize(customer, line_items)
       @customer = customer
-      @lines = lines
+      @line_items = line_items
     end
diff --git a/spec/billing/invoice_spec.rb b/spec/billing/invoice_spec.rb
@@ -1,4 +1,4 @@
-RSpec.describe Billing::Invoce do
+RSpec.describe Billing::Invoice do
`;

export const tracesAndDiffs = [
    ...family("trace_a", [
        [
            M,
            "getting this when I upload a csv, whats wrong\n\nTraceback (most recent call last):\n  File \"/app/importer/views.py\", line 48, in upload\n    rows = parse_rows(request.FILES['file'])\n  File \"/app/importer/parse.py\", line 22, in parse_rows\n    amount = Decimal(row['amount'])\ndecimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]\n\nparse.py:\n```python\ndef parse_rows(f):\n    reader = csv.DictReader(io.TextIOWrapper(f, encoding='utf-8'))\n    out = []\n    for row in reader:\n        amount = Decimal(row['amount'])\n        out.append(Row(row['date'], row['desc'], amount))\n    return out\n```",
        ],
        [
            M,
            'java.lang.NullPointerException: Cannot invoke "String.trim()" because "name" is null\n\tat com.acme.crm.ContactMapper.toDto(ContactMapper.java:31)\n\tat com.acme.crm.ContactController.list(ContactController.java:54)\n\nfix ContactMapper.toDto so it handles missing names',
        ],
        [
            M,
            'panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.parseRecord({0xc000012345, 0x11})\n\t/src/ingest/record.go:27 +0x1d4\nmain.main()\n\t/src/ingest/main.go:14 +0x85\n\n```go\nfunc parseRecord(line string) Record {\n\tf := strings.Split(line, ";")\n\treturn Record{ID: f[0], Name: f[1], Email: f[2], Phone: f[3]}\n}\n```',
        ],
        [L, "what does this error mean\n\nerror[E0382]: borrow of moved value: `s`"],
        [
            F,
            "This shows up in our logs a few times a day across different pods, never in staging. All 3 services involved were deployed last week. Where would you even start?\n\n```\n2024-06-11T03:12:44.918Z ERROR [order-svc] txn=8812ab commit failed: could not serialize access due to concurrent update\n2024-06-11T03:12:44.921Z WARN  [order-svc] txn=8812ab retrying (1/3)\n2024-06-11T03:12:45.402Z ERROR [inventory-svc] reservation 55121 not found for order 8812ab\n2024-06-11T03:12:45.406Z ERROR [order-svc] txn=8812ab compensating: releasing reservation 55121\n2024-06-11T03:12:45.733Z WARN  [payment-svc] capture for order 8812ab already succeeded, ignoring\n```",
        ],
        [
            M,
            'npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! Found: react@18.2.0\nnpm ERR! Could not resolve dependency:\nnpm ERR! peer react@"^17.0.0" from react-beautiful-dnd@13.1.1\n\nhow do i fix this without --force',
        ],
        [L, "ModuleNotFoundError: No module named 'yaml'\n\nwhat do I pip install"],
        [
            F,
            "```\nFATAL: the database system is in recovery mode\nLOG:  server process (PID 31877) was terminated by signal 9: Killed\nDETAIL:  Failed process was running: SELECT ... FROM events e JOIN ... \nLOG:  terminating any other active server processes\n```\nThis happens every Monday around 9am when the weekly reports run. The box has 64GB. We've bumped work_mem twice. What's actually going on and what's the long-term fix?",
        ],
        [
            M,
            'RecursionError: maximum recursion depth exceeded while calling a Python object\n  File "tree.py", line 12, in depth\n    return 1 + max(depth(c) for c in node.children)\n\nmake it iterative',
        ],
        [
            L,
            "eslint says `'response' is assigned a value but never used` — just remove it?\n```js\nconst response = await fetch(url, { method: 'DELETE' });\n```",
        ],
    ]),
    ...family("trace_b", [
        [
            M,
            "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Os { code: 2, kind: NotFound, message: \"No such file or directory\" }', src/main.rs:9:45\n\nmake it print a nice error and exit 1 instead",
        ],
        [
            F,
            "Our p95 went from 80ms to 900ms after upgrading the ORM, but only on the two biggest tenants. Flamegraph attached as text, top frames:\n\n```\n 41.2%  pg.Connection.query\n 22.7%  orm.hydrate\n 12.1%  orm.Relation.load\n  9.8%  JSON.stringify\n  4.0%  gc\n```\nthe release notes mention changes to eager loading. what do we do, and how do we stop this happening again across all services?",
        ],
        [
            M,
            "FAILED tests/test_pricing.py::test_discount_rounding - AssertionError: assert Decimal('9.99') == Decimal('10.00')\n\n```python\ndef apply_discount(price: Decimal, pct: int) -> Decimal:\n    return (price * (100 - pct) / 100).quantize(Decimal('0.01'))\n```\nthe test expects round half up. fix the function",
        ],
        [L, "what's the http status code for 'payload too large'"],
        [
            M,
            "ERROR 1452 (23000): Cannot add or update a child row: a foreign key constraint fails (`shop`.`order_items`, CONSTRAINT `order_items_ibfk_1` FOREIGN KEY (`order_id`) REFERENCES `orders` (`id`))\n\nI'm inserting order and items in the same function, the order insert happens first. what's wrong\n```python\ndef save(order):\n    with conn.cursor() as c:\n        c.execute('INSERT INTO orders (customer_id) VALUES (%s)', (order.customer_id,))\n        for it in order.items:\n            c.execute('INSERT INTO order_items (order_id, sku) VALUES (%s, %s)', (order.id, it.sku))\n    conn.commit()\n```",
        ],
        [
            F,
            "Every few hours one of our kafka consumers logs this and then the partition stops moving until we restart the pod:\n\n```\nWARN  [Consumer clientId=ingest-3] Offset commit failed on partition events-17 at offset 99812233: The coordinator is not aware of this member.\nINFO  [Consumer clientId=ingest-3] Revoke previously assigned partitions events-17, events-18\nINFO  [Consumer clientId=ingest-3] (Re-)joining group\n```\nprocessing one batch can take up to 4 minutes because of a downstream API. Config is mostly defaults.",
        ],
        [
            M,
            "CrashLoopBackOff, logs say:\n\nError: Missing required environment variable DATABASE_URL\n    at loadConfig (/app/dist/config.js:14:11)\n\nhere's the deployment env section, what did I miss\n```yaml\nenv:\n  - name: DATABASE_HOST\n    valueFrom:\n      secretKeyRef: { name: db, key: host }\n  - name: DATABASE_PASSWORD\n    valueFrom:\n      secretKeyRef: { name: db, key: password }\n```",
        ],
        [L, "```\nwarning: unused import: `std::collections::HashMap`\n --> src/lib.rs:3:5\n```\nremove it"],
    ]),
    ...family("diffs", [
        [L, `write a commit message for this\n\n${smallDiff}`],
        [L, `summarize this diff for the PR description\n\n${renameDiff}`],
        [
            F,
            `Please review this change to our auth middleware before merge. It's small but it's auth.\n\n${authDiff}`,
        ],
        [M, `${smallDiff}\ndoes this change need a test? if so write it (vitest)`],
        [L, `conventional commit msg pls\n\n${renameDiff}`],
        [
            M,
            "review this diff, is the retry logic right?\n\n```diff\n-    resp = requests.post(url, json=payload, timeout=5)\n-    resp.raise_for_status()\n+    for attempt in range(3):\n+        try:\n+            resp = requests.post(url, json=payload, timeout=5)\n+            resp.raise_for_status()\n+            break\n+        except requests.RequestException:\n+            time.sleep(2 ** attempt)\n+    return resp.json()\n```",
        ],
        [L, "changelog entry for this:\n\n```diff\n- DEFAULT_PAGE_SIZE = 20\n+ DEFAULT_PAGE_SIZE = 50\n```"],
        [
            F,
            "This PR changes the lock ordering in the ledger. Can you check it can't deadlock with the reconciliation job, which locks account then ledger_entries?\n\n```diff\n@@ def post_entry(entry):\n-    with lock_account(entry.account_id):\n-        with lock_ledger(entry.ledger_id):\n-            write(entry)\n+    with lock_ledger(entry.ledger_id):\n+        with lock_account(entry.account_id):\n+            write(entry)\n+            if entry.counter_account_id:\n+                with lock_account(entry.counter_account_id):\n+                    write_counter(entry)\n```",
        ],
        [
            L,
            "git diff --stat says:\n\n```\n docs/setup.md | 12 ++++++------\n README.md     |  3 ++-\n 2 files changed, 9 insertions(+), 7 deletions(-)\n```\nwrite a commit message, its just docs cleanup",
        ],
        [
            M,
            "I messed up a rebase, git log shows my commit twice with different hashes and the second one has conflict markers in src/api.ts. how do I get back to a clean state?",
        ],
    ]),
];
