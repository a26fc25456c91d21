/**
 * Agent sessions in the editor agent's, the chat panel's, the pair-programming chat's and the on-call
 * assistant's envelopes (agentClients.ts). None of these clients flags a failed tool: a failure is only
 * visible in the output text.
 */
import { F, L, M, assistant, call, family, result, user } from "./corpus.js";
import { editorAgent, opsAgent, pairChat, panelAgent, session } from "./agentClients.js";

const editorContext = (file: string, line: number, extra = ""): string =>
    `<additional_data>\n<current_file>\nPath: ${file}\nLine: ${line}\n</current_file>${extra}\n</additional_data>\n`;

export const editorSessions = family("agent_editor", [
    session(editorAgent, L, [
        user(
            `${editorContext("src/components/Button.tsx", 12)}<user_query>\nadd aria-label prop passthrough\n</user_query>`,
        ),
    ]),
    session(editorAgent, M, [
        user(
            `${editorContext("src/hooks/useCart.ts", 40)}<user_query>\nmake the cart persist to localStorage and restore it on load, with a version key so old formats are dropped\n</user_query>`,
        ),
    ]),
    session(editorAgent, F, [
        user(
            `<user_query>\nthe app feels slow, especially switching between projects. profile it and fix the biggest problems, it's a next.js app with react-query and zustand\n</user_query>`,
        ),
    ]),
    session(editorAgent, M, [
        user(
            `${editorContext("src/api/client.ts", 5)}<user_query>\nwhy are we getting CORS errors only on the /upload call?\n</user_query>`,
        ),
        call("e1", "grep", { query: "upload", include_pattern: "src/**/*.ts" }),
        result(
            "e1",
            "src/api/client.ts:48:  upload(file: File) {\nsrc/api/client.ts:52:    headers: { 'Content-Type': 'multipart/form-data', 'X-Upload-Id': id },",
        ),
        call("e2", "read_file", { target_file: "src/api/client.ts", start_line: 40, end_line: 70 }),
        result(
            "e2",
            "  upload(file: File) {\n    const id = crypto.randomUUID();\n    return fetch(`${API}/upload`, {\n      method: 'POST',\n      headers: { 'Content-Type': 'multipart/form-data', 'X-Upload-Id': id },\n      body: file,\n    });\n  }",
        ),
    ]),
    session(editorAgent, F, [
        user(
            `<user_query>\nmove all our API calls from fetch wrappers to react-query hooks, there's about 70 of them spread over the app\n</user_query>`,
        ),
        call("e1", "codebase_search", { query: "api calls using apiFetch" }),
        result(
            "e1",
            "src/features/projects/api.ts (18 matches)\nsrc/features/users/api.ts (11 matches)\nsrc/features/billing/api.ts (9 matches)\n... 14 more files",
        ),
    ]),
    session(editorAgent, F, [
        user(
            `${editorContext("src/features/billing/Invoice.tsx", 88)}<user_query>\nfix the linter errors in this file\n</user_query>`,
        ),
        call("e1", "edit_file", {
            target_file: "src/features/billing/Invoice.tsx",
            instructions: "type the props",
            code_edit:
                "// ... existing code ...\nexport function Invoice({ invoice }: { invoice: InvoiceDto }) {\n// ... existing code ...",
        }),
        result(
            "e1",
            "The apply model made the following changes... Linter errors:\nLine 3: Cannot find name 'InvoiceDto'. Did you mean 'Invoice'?",
        ),
        call("e2", "edit_file", {
            target_file: "src/features/billing/Invoice.tsx",
            instructions: "import InvoiceDto",
            code_edit: "import type { InvoiceDto } from '../types';\n// ... existing code ...",
        }),
        result(
            "e2",
            "Linter errors:\nLine 1: Module '\"../types\"' has no exported member 'InvoiceDto'.\nLine 90: Property 'lines' does not exist on type 'InvoiceDto'.",
        ),
        call("e3", "run_terminal_cmd", { command: "npx tsc --noEmit -p ." }),
        result(
            "e3",
            "src/features/billing/Invoice.tsx(1,15): error TS2305: Module '\"../types\"' has no exported member 'InvoiceDto'.\nFound 1 error in src/features/billing/Invoice.tsx:1",
        ),
    ]),
    session(editorAgent, L, [
        user(
            `${editorContext("README.md", 1)}<user_query>\nwhat does this repo's \`npm run seed\` do? just tell me, don't change anything\n</user_query>`,
        ),
    ]),
    session(editorAgent, M, [
        user(
            `${editorContext("src/utils/format.ts", 20)}<user_query>\nadd unit tests for formatRelativeTime with vitest, mock the clock\n</user_query>`,
        ),
        call("e1", "read_file", { target_file: "src/utils/format.ts", start_line: 1, end_line: 45 }),
        result(
            "e1",
            "export function formatRelativeTime(date: Date, now = new Date()): string {\n  const s = Math.round((now.getTime() - date.getTime()) / 1000);\n  if (s < 60) return 'just now';\n  if (s < 3600) return `${Math.floor(s / 60)}m ago`;\n  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;\n  return date.toLocaleDateString();\n}",
        ),
        call("e2", "run_terminal_cmd", { command: "npx vitest run src/utils" }),
        result(
            "e2",
            " FAIL  src/utils/format.test.ts > formatRelativeTime > shows days\nAssertionError: expected '3/14/2026' to be '14/03/2026'\n Tests  1 failed | 5 passed (6)",
        ),
    ]),
    session(editorAgent, F, [
        user(
            `<user_query>\nlogin works locally but in the preview deployment users get logged out randomly after a few minutes\n</user_query>`,
        ),
    ]),
    session(editorAgent, M, [
        user(
            `${editorContext("src/pages/settings.tsx", 130)}<user_query>\nthis page has 600 lines, split the profile, notifications and danger-zone sections into their own components in the same folder\n</user_query>`,
        ),
    ]),
]);

export const panelSessions = family("agent_panel", [
    session(panelAgent, L, [user("whats the command to run only the tests in this file with pytest")]),
    session(panelAgent, M, [
        user("why does test_refund fail?"),
        call("p1", "run_terminal_command", { command: "pytest tests/test_refund.py -x -q" }),
        result(
            "p1",
            "F\n=================================== FAILURES ===================================\n_________________________________ test_refund __________________________________\n    def test_refund():\n        order = make_order(total=Decimal('20.00'))\n>       assert refund(order, Decimal('5.00')).total == Decimal('15.00')\nE       AttributeError: 'NoneType' object has no attribute 'total'\n\ntests/test_refund.py:14: AttributeError\n1 failed in 0.31s",
        ),
        call("p2", "read_file", { filepath: "shop/refunds.py" }),
        result(
            "p2",
            "def refund(order, amount):\n    if amount > order.total:\n        raise ValueError('refund exceeds total')\n    order.total -= amount\n    order.save()",
        ),
    ]),
    session(panelAgent, L, [
        user("explain the regex on line 12 of validators.py: ^[\\w.+-]+@[\\w-]+\\.[\\w.]+$"),
    ]),
    session(panelAgent, F, [
        user("our celery tasks randomly run twice. look at the config and the task code and tell me why"),
        call("p1", "file_glob_search", { pattern: "**/celery*.py" }),
        result("p1", "app/celery.py\napp/celeryconfig.py"),
        call("p2", "read_file", { filepath: "app/celeryconfig.py" }),
        result(
            "p2",
            "broker_url = 'redis://redis:6379/0'\ntask_acks_late = True\nworker_prefetch_multiplier = 4\nbroker_transport_options = {'visibility_timeout': 300}",
        ),
    ]),
    session(panelAgent, F, [
        user("install the deps and run the app"),
        call("p1", "run_terminal_command", { command: "pip install -r requirements.txt" }),
        result(
            "p1",
            "ERROR: Could not find a version that satisfies the requirement psycopg2-binary==2.8.6 (from versions: 2.9.1, 2.9.2, 2.9.9)\nERROR: No matching distribution found for psycopg2-binary==2.8.6",
        ),
        call("p2", "run_terminal_command", { command: "pip install -r requirements.txt --no-deps" }),
        result(
            "p2",
            "ERROR: Could not find a version that satisfies the requirement psycopg2-binary==2.8.6\nERROR: No matching distribution found for psycopg2-binary==2.8.6",
        ),
    ]),
    session(panelAgent, M, [
        user("add a `--since` option to the export command in cli.py that filters rows by date (YYYY-MM-DD)"),
    ]),
    session(panelAgent, L, [
        user("sort the imports in app/models.py, stdlib first then third party then local"),
    ]),
    session(panelAgent, F, [
        user(
            "we need to support SSO with SAML for enterprise customers. how should we add it to this django app? we use django-allauth for social logins today",
        ),
    ]),
]);

export const pairSessions = family("pair_chat", [
    session(pairChat, L, [
        user(
            "I added these files to the chat so you can edit them.\n\nsrc/greet.py\n```\ndef greet(name):\n    return 'Helo, ' + name\n```",
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user("fix the typo in the greeting"),
    ]),
    session(pairChat, M, [
        user(
            "I added these files to the chat so you can edit them.\n\nbot/handlers.py\n```\nimport re\n\nCOMMANDS = {}\n\ndef command(name):\n    def deco(fn):\n        COMMANDS[name] = fn\n        return fn\n    return deco\n\n@command('help')\ndef help_cmd(msg):\n    return 'Commands: ' + ', '.join(sorted(COMMANDS))\n\ndef dispatch(text):\n    m = re.match(r'!(\\w+)\\s*(.*)', text)\n    if not m:\n        return None\n    fn = COMMANDS.get(m.group(1))\n    return fn(m.group(2)) if fn else 'Unknown command'\n```",
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user(
            "add a !remind command: `!remind 10m take a break` should return a confirmation and schedule the reminder with asyncio. parse s/m/h units, reject anything over 24h",
        ),
    ]),
    session(pairChat, F, [
        user(
            "I added these files to the chat so you can edit them.\n\nledger/transfer.py\n```\ndef transfer(db, src, dst, amount):\n    a = db.get_account(src)\n    b = db.get_account(dst)\n    if a.balance < amount:\n        raise InsufficientFunds()\n    db.update_balance(src, a.balance - amount)\n    db.update_balance(dst, b.balance + amount)\n```\n\nledger/db.py\n```\nclass DB:\n    def get_account(self, id):\n        return self.conn.execute('SELECT id, balance FROM accounts WHERE id = ?', (id,)).fetchone()\n    def update_balance(self, id, balance):\n        self.conn.execute('UPDATE accounts SET balance = ? WHERE id = ?', (balance, id))\n        self.conn.commit()\n```",
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user(
            "balances drift under concurrent transfers and occasionally money disappears. fix it so it's correct under concurrency, across both files",
        ),
    ]),
    session(pairChat, M, [
        user(
            "I added these files to the chat so you can edit them.\n\nweb/static/search.js\n```\nconst input = document.querySelector('#q');\ninput.addEventListener('input', async () => {\n  const res = await fetch('/search?q=' + input.value);\n  const items = await res.json();\n  render(items);\n});\n```",
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user(
            "results flicker and sometimes show results for an older query. debounce it and ignore stale responses",
        ),
    ]),
    session(pairChat, L, [
        user(
            'I added these files to the chat so you can edit them.\n\nconfig/settings.toml\n```\n[server]\nport = 8000\nworkers = 4\n\n[db]\nurl = "postgres://localhost/app"\npool = 5\n```',
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user("change the pool size to 20"),
    ]),
    session(pairChat, M, [
        user(
            "I added these files to the chat so you can edit them.\n\nsrc/lib.rs\n```\npub fn parse_kv(s: &str) -> Vec<(String, String)> {\n    s.split(';').map(|p| {\n        let mut it = p.split('=');\n        (it.next().unwrap().to_string(), it.next().unwrap().to_string())\n    }).collect()\n}\n```",
        ),
        assistant("Ok, any changes I propose will be to those files."),
        user(
            "make this return a Result with a proper error type instead of panicking on bad input, and add tests",
        ),
        assistant(
            "src/lib.rs\n<<<<<<< SEARCH\npub fn parse_kv(s: &str) -> Vec<(String, String)> {\n=======\npub fn parse_kv(s: &str) -> Result<Vec<(String, String)>, ParseError> {\n>>>>>>> REPLACE",
        ),
        user("the tests don't compile: error[E0412]: cannot find type `ParseError` in this scope"),
    ]),
]);

export const opsSessions = family("agent_ops", [
    session(opsAgent, M, [user("which pods in the checkout namespace restarted in the last hour and why?")]),
    session(opsAgent, M, [user("what's the PromQL for the 5xx rate of the api service over 5 minutes?")]),
    session(opsAgent, F, [
        user("checkout latency doubled at 14:20 and hasn't recovered. find the cause"),
        call("o1", "query_metrics", {
            query: 'histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="checkout"}[5m])))',
            range: "2h",
        }),
        result("o1", "14:00 0.41\n14:10 0.43\n14:20 0.88\n14:30 0.91\n14:40 0.90"),
        call("o2", "query_logs", { query: '{app="checkout"} |= "timeout"', since: "1h" }),
        result(
            "o2",
            "14:20:03 WARN upstream pricing-svc timeout after 500ms, falling back to cache\n14:20:05 WARN upstream pricing-svc timeout after 500ms, falling back to cache\n... 1843 more lines",
        ),
        call("o3", "kubectl_get", { args: "describe deployment pricing-svc", namespace: "pricing" }),
        result(
            "o3",
            'Error from server (Forbidden): deployments.apps "pricing-svc" is forbidden: User "system:serviceaccount:ops:beacon" cannot get resource "deployments" in API group "apps" in the namespace "pricing"',
        ),
        call("o4", "kubectl_get", { args: "get pods -o wide", namespace: "pricing" }),
        result(
            "o4",
            'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:ops:beacon" cannot list resource "pods" in the namespace "pricing"',
        ),
    ]),
    session(opsAgent, M, [
        user("is the disk on the postgres-0 pod filling up?"),
        call("o1", "query_metrics", {
            query: 'kubelet_volume_stats_used_bytes{persistentvolumeclaim="data-postgres-0"} / kubelet_volume_stats_capacity_bytes{persistentvolumeclaim="data-postgres-0"}',
            range: "7d",
        }),
        result("o1", "mon 0.61\ntue 0.64\nwed 0.66\nthu 0.69\nfri 0.73\nsat 0.74\nsun 0.78"),
    ]),
    session(opsAgent, F, [
        user(
            "we lose some events between the ingest gateway and kafka during node drains. figure out where and propose a fix",
        ),
    ]),
    session(opsAgent, M, [
        user("why is the nightly-report cronjob failing?"),
        call("o1", "kubectl_get", { args: "get jobs --sort-by=.status.startTime", namespace: "reports" }),
        result(
            "o1",
            "NAME                      COMPLETIONS   DURATION   AGE\nnightly-report-28911520   0/1           3m         14h\nnightly-report-28910080   1/1           41s        38h",
        ),
        call("o2", "query_logs", { query: '{namespace="reports", job="nightly-report"}', since: "16h" }),
        result(
            "o2",
            '02:00:11 INFO starting report for 2026-11-19\n02:00:14 ERROR psycopg2.OperationalError: FATAL: password authentication failed for user "reports"\n02:00:14 INFO exiting with status 1',
        ),
    ]),
]);
