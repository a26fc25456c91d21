/**
 * Documentation, commit and boilerplate asks; follow-up turns of a chat (earlier questions and answers
 * before the last ask); and requests that carry routing hints (a task type, tags, a latency budget) as
 * some clients send them.
 */
import { F, L, M, assistant, family, user } from "./corpus.js";

const helpfulSystem = "You are a senior engineer helping a colleague. Be direct and practical.";

export const docsAndChat = [
    ...family("docs_boilerplate", [
        [L, "write a commit message: fixed null check in user serializer, added test"],
        [
            L,
            "Write a PR description for: upgrade eslint 8 → 9, migrate .eslintrc to flat config, no rule changes.",
        ],
        [L, "README badge markdown for github actions workflow ci.yml in repo acme/widgets"],
        [
            M,
            "scaffold a FastAPI app with a /health endpoint, settings from env via pydantic-settings, and a Dockerfile",
        ],
        [
            L,
            "write an .editorconfig: 4 spaces, lf, utf-8, trim trailing whitespace, 2 spaces for yaml and json",
        ],
        [L, "MIT license text with copyright 2026 Acme Labs"],
        [
            M,
            "create a Makefile with targets build, test, lint, docker-build and docker-push for a go project, image name from a variable",
        ],
        [
            L,
            "summarize what this function does in one sentence for the docs:\n```python\ndef retry_after(resp):\n    v = resp.headers.get('Retry-After')\n    return int(v) if v and v.isdigit() else None\n```",
        ],
        [L, "add a short module docstring at the top explaining this file holds the currency helpers"],
        [
            M,
            "write an OpenAPI 3 spec for: GET /books (list, paginated), POST /books, GET /books/{id}, DELETE /books/{id}. book has id, title, author, year",
        ],
        [L, "write release notes for v1.2.1, it only fixes the crash when the config file is empty"],
        [L, "add a CONTRIBUTING section about running tests: `make test`, needs docker running"],
        [
            M,
            "generate a github actions workflow that runs pytest on python 3.10, 3.11 and 3.12 with pip caching and uploads coverage",
        ],
        [
            F,
            "Write an ADR deciding between a shared database and database-per-service for our upcoming split of the orders monolith. We have 5 teams.",
        ],
        [
            L,
            "turn these notes into a bullet list for the sprint review: fixed login bug, dark mode done, export still in review, perf work paused",
        ],
        [
            M,
            "boilerplate for a typescript npm library: tsconfig for ESM+CJS dual output, package.json exports map, vitest",
        ],
        [L, "explain in plain words what this cron expression means: 0 */6 * * 1-5"],
        [L, "squash message for these: 'wip', 'fix tests', 'address review', 'add retry to uploader'"],
        [
            M,
            "write a pre-commit config with black, ruff, mypy and a hook that blocks commits with 'print(' in src/",
        ],
        [
            F,
            "Draft the technical design doc for adding audit logging to every write path in the platform (15 services), including storage, tamper evidence and retention.",
        ],
        [L, "docstring for `def to_cents(amount: Decimal) -> int` (rounds half up)"],
        [
            M,
            "write a systemd unit for our worker: restart on failure, env file /etc/worker.env, run as user worker, log to journal",
        ],
    ]),
    ...family("chat_followup", [
        [
            L,
            "thanks! now add a docstring to it",
            {
                history: [
                    user("python function to check if a number is prime"),
                    assistant(
                        "```python\ndef is_prime(n: int) -> bool:\n    if n < 2:\n        return False\n    i = 2\n    while i * i <= n:\n        if n % i == 0:\n            return False\n        i += 1\n    return True\n```",
                    ),
                ],
            },
        ],
        [
            M,
            "ok and how do I make it work for a list of dicts where the key might be missing?",
            {
                history: [
                    user("how do I sort a list of dicts by a key in python"),
                    assistant(
                        "Use `sorted(items, key=lambda d: d['name'])`, or `operator.itemgetter('name')` as the key.",
                    ),
                ],
            },
        ],
        [
            F,
            "Makes sense. But we also have a second region coming next quarter, active-active. Does that change your answer?",
            {
                system: helpfulSystem,
                history: [
                    user(
                        "Should we use Postgres advisory locks or Redis for leader election of our scheduler? One region, 3 nodes.",
                    ),
                    assistant(
                        "With one region and Postgres already in the critical path, advisory locks are the simpler choice: session-level `pg_try_advisory_lock` held by the leader, released on disconnect...",
                    ),
                ],
            },
        ],
        [
            M,
            "that works, but now the tests for it fail with 'Event loop is closed'. here's the test:\n```python\n@pytest.fixture\ndef client():\n    return AsyncClient(app=app, base_url='http://test')\n\nasync def test_health(client):\n    r = await client.get('/health')\n    assert r.status_code == 200\n```",
            {
                history: [
                    user("convert my flask health endpoint to fastapi"),
                    assistant(
                        "```python\n@app.get('/health')\nasync def health():\n    return {'status': 'ok'}\n```",
                    ),
                ],
            },
        ],
        [
            L,
            "perfect. can you rename `tmp` to `acc` in that",
            {
                history: [
                    user("js reduce that sums only the even numbers"),
                    assistant(
                        "```js\nconst sumEven = (xs) => xs.reduce((tmp, x) => (x % 2 === 0 ? tmp + x : tmp), 0);\n```",
                    ),
                ],
            },
        ],
        [
            F,
            "we tried that and it's still happening, but now only on the largest customer's account, and only after 10pm. any other ideas?",
            {
                system: helpfulSystem,
                history: [
                    user(
                        "some users' dashboards show yesterday's numbers even after the nightly aggregation finished",
                    ),
                    assistant(
                        "Check the cache TTL on the dashboard query and whether the aggregation job invalidates it. A CDN in front of the API could also serve stale JSON...",
                    ),
                ],
            },
        ],
        [
            M,
            "ok now write the tests for it, cover expiry and the capacity limit",
            {
                history: [
                    user("write a small ttl cache class in typescript with get/set and a max size"),
                    assistant(
                        "```ts\nexport class TtlCache<K, V> {\n  private map = new Map<K, { v: V; exp: number }>();\n  constructor(private max: number, private ttlMs: number) {}\n  get(k: K): V | undefined {\n    const e = this.map.get(k);\n    if (!e || e.exp < Date.now()) { this.map.delete(k); return undefined; }\n    return e.v;\n  }\n  set(k: K, v: V) {\n    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value);\n    this.map.set(k, { v, exp: Date.now() + this.ttlMs });\n  }\n}\n```",
                    ),
                ],
            },
        ],
        [
            L,
            "and in go?",
            {
                history: [
                    user("how do i get the current unix timestamp in python"),
                    assistant("`int(time.time())`"),
                ],
            },
        ],
        [
            F,
            "ok. now the same for the other 30 services, they all copy-pasted that client. how do we roll this out without breaking anyone",
            {
                history: [
                    user("our http client wrapper in the billing service swallows timeouts, fix it"),
                    assistant(
                        "The wrapper catches every exception and returns None. Re-raise timeouts as `UpstreamTimeout` and let the caller decide; here is the patched `request()`...",
                    ),
                ],
            },
        ],
        [
            M,
            "can you explain why that fixes it? I don't get why the closure captured the old value",
            {
                history: [
                    user(
                        "my setInterval always logs 0 even though count goes up\n```jsx\nuseEffect(() => {\n  const id = setInterval(() => console.log(count), 1000);\n  return () => clearInterval(id);\n}, []);\n```",
                    ),
                    assistant(
                        "Add `count` to the dependency array, or read it through a ref: `const countRef = useRef(count); countRef.current = count;` and log `countRef.current`.",
                    ),
                ],
            },
        ],
    ]),
    ...family("hinted", [
        [
            L,
            "def median(xs):\n    xs = sorted(xs)\n    n = len(xs)\n    ",
            { hints: { task_type: "completion" }, max_tokens: 64, output: 40 },
        ],
        [
            L,
            "fix: handle empty cart in checkout total",
            { hints: { task_type: "commit_message" }, output: 30 },
        ],
        [F, "review the new SSO login callback", { hints: { task_type: "review", tags: ["security"] } }],
        [M, "add a limit param to listOrders and pass it to the query", { hints: { task_type: "edit" } }],
        [
            F,
            "how should the notification service be split from the core app",
            { hints: { task_type: "plan", tags: ["architecture"] } },
        ],
        [
            L,
            "what does `Array.from({ length: 3 })` give me",
            { hints: { task_type: "chat", latency_budget_ms: 800 } },
        ],
        [
            M,
            "write tests for the coupon validator, expired, future, single-use, percentage > 100",
            { hints: { task_type: "edit", session_id: "s-88213" } },
        ],
        [
            L,
            "const user = await db.users.findFirst({ where: { email } });\nif (!user) ",
            { hints: { task_type: "completion", latency_budget_ms: 300 }, max_tokens: 48, output: 25 },
        ],
        [
            F,
            "plan the move from our self-hosted kafka to MSK with zero message loss",
            { hints: { task_type: "plan" } },
        ],
        [
            M,
            "explain this module to me, I'm new on the team: it's the job scheduler, scheduler.py, about 300 lines",
            { hints: { task_type: "chat" } },
        ],
        [
            F,
            "look over the payment webhook handler for anything an attacker could abuse",
            { hints: { tags: ["security", "payments"] } },
        ],
        [L, "docstring for parse_args", { hints: { task_type: "edit", latency_budget_ms: 1500 } }],
    ]),
];
