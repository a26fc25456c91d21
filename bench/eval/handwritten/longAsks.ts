/**
 * Longer asks written out in paragraphs: design and architecture questions with their context, security
 * reviews, concurrency and production failures, migrations; and long asks whose task is still small (a
 * paragraph of background around a rename or a commit message).
 */
import { F, L, M, family } from "./corpus.js";

export const longAsks = [
    ...family("long_design", [
        [
            F,
            "We're a team of six running a Django monolith (about 180k lines) with Postgres and Celery. Product wants real-time collaborative editing for documents, like Google Docs but simpler: rich text, comments, presence. We have no websocket infrastructure today. What architecture would you propose, what would you build vs buy, and what are the risks for a team our size? Please be concrete about the data model and the sync protocol.",
        ],
        [
            F,
            "Context: our mobile app talks to 11 backend services directly, each with its own auth check and its own versioning. Releases are painful because old app versions break. I'm thinking about a BFF (backend for frontend) layer or a GraphQL gateway. Can you lay out the options with trade-offs, and a migration plan that doesn't require a big-bang release?",
        ],
        [
            F,
            "I need to write an RFC for moving our scheduled jobs (about 300 cron entries spread over 9 VMs) to something that survives a VM dying, avoids double runs, and gives us visibility. Candidates: Kubernetes CronJobs, Temporal, a home-grown scheduler on Postgres advisory locks. Help me structure the RFC and argue the choice.",
        ],
        [
            F,
            "how would you design the storage layer for a metrics system that ingests 2M points/sec, keeps 13 months, and needs sub-second queries over the last 24h? we currently dump everything into a single clickhouse node and it's falling over",
        ],
        [
            F,
            "Our search is Postgres full-text today. Queries with typos return nothing, relevance is poor, and it's 30% of DB CPU. Should we move to Elasticsearch/OpenSearch, Meilisearch, or pgvector + embeddings? We have 40M documents in 12 languages. I want a recommendation with the indexing pipeline, consistency story and cost.",
        ],
        [
            F,
            "We want to let customers bring their own encryption keys (BYOK) for data at rest. Multi-tenant, Postgres + S3, some data in Redis. What changes across the stack? Key rotation, revocation, what happens to search indexes and backups?",
        ],
        [
            M,
            "I'm writing a small CLI in Go that reads a YAML file of HTTP checks (url, expected status, timeout) and runs them concurrently with a limit of 10, printing a table at the end. Can you write it? Single main.go is fine, use only the standard library plus gopkg.in/yaml.v3.",
        ],
        [
            M,
            "For our Flask app I need an endpoint that accepts a JSON list of up to 1000 contacts, validates each (email format, required name, optional phone in E.164), inserts the valid ones in one transaction, and returns a per-row report of which ones failed and why. SQLAlchemy models already exist (Contact with name, email, phone). Write the view and the validation.",
        ],
        [
            L,
            'Bit of background: we\'re renaming our product from \'Tasky\' to \'Planly\' and marketing wants every user-facing string updated. I\'ll handle the rest of the app myself, I just need you to do this one file, strings only, don\'t touch the keys:\n\n```json\n{\n  "welcome.title": "Welcome to Tasky",\n  "welcome.body": "Tasky helps your team plan work.",\n  "settings.about": "About Tasky",\n  "billing.upgrade": "Upgrade to Tasky Pro",\n  "errors.generic": "Something went wrong. Tasky support has been notified."\n}\n```',
        ],
        [
            L,
            "I've been working on the export feature all day and I'm about to push. The change adds a `format` query parameter to /export (csv or json, default csv), a JSON serializer next to the CSV one, and tests for both. Nothing else changed. Can you write me a good commit message? Subject under 50 chars please.",
        ],
        [
            M,
            "We have a React table of ~5k rows that re-renders everything when one checkbox changes, and typing in the filter box lags. The component keeps `rows`, `selected` (a Set) and `filter` in one useState object. How should I restructure this single component (memoization, splitting state, virtualization?) and can you show the rewritten component?",
        ],
        [
            F,
            "We're getting acquired and need to merge our user base (8M users, email+password, some Google SSO) into the acquirer's identity platform (Okta) within 6 months, without forcing password resets and without downtime. Both products will keep running separately for a year. What's the plan? Think about account linking conflicts, session handling, and rollback.",
        ],
    ]),
    ...family("long_security", [
        [
            F,
            "Could you do a proper security review of how we handle password resets? Flow: user enters email, we generate a token with `random.randint(100000, 999999)`, store it in the users table with a 24h expiry, email a link `https://app.example.com/reset?email=...&token=...`. The reset endpoint looks up the user by email, compares tokens with `==`, sets the new password, and leaves the token in place so the link 'still works if they click twice'.",
        ],
        [
            F,
            "We're about to expose our internal admin API to partner companies. Today it trusts anything inside the VPC. Give me a threat model and the list of things we must change before launch.",
        ],
        [
            F,
            "our app lets users give a URL and we fetch it server side to show a preview card (title, image). someone on twitter said this is dangerous. is it? what exactly could go wrong in our AWS setup and how do we lock it down",
        ],
        [
            F,
            "Pen test report came back with 'stored XSS in markdown comments' and 'IDOR on /api/files/:id'. We use marked.js for markdown and files are looked up by numeric id. How do we fix both properly and find the other places in the codebase with the same patterns?",
        ],
        [
            M,
            "how do I hash passwords properly in node? we currently use sha256 with a global salt. I just need the replacement function and the verification, bcrypt or argon2, your pick",
        ],
        [
            F,
            "We store API keys for third-party integrations (Slack, GitHub, Salesforce tokens) per customer in a Postgres column, plaintext. Design the secrets handling: encryption, access from workers, rotation, audit logging, and what happens if a DB backup leaks.",
        ],
        [
            M,
            "Set the security headers for our nginx config: HSTS, CSP for a React SPA that loads fonts from Google and talks to api.example.com, X-Frame-Options, referrer policy. Just the config block please.",
        ],
        [
            F,
            "Is it safe to deserialize the `state` cookie with pickle if we sign it with an HMAC first? Our senior dev says yes, our auditor says no. Who's right and why, concretely?",
        ],
    ]),
    ...family("long_prod", [
        [
            F,
            "Weird one. Every day between 02:00 and 02:15 UTC our API error rate jumps to ~4% (timeouts to the database). No cron jobs we know of at that time, autovacuum logs look normal, traffic is at its lowest. It started around three weeks ago. We run on RDS Postgres 14, ECS services, pgbouncer in transaction mode. How would you investigate this systematically?",
        ],
        [
            F,
            "After we moved from one Redis to a Redis Cluster, our distributed lock (SET NX PX + Lua unlock) sometimes lets two workers process the same job. Not often, maybe a few times a week out of millions. Why would the cluster change this, and what should we use instead?",
        ],
        [
            F,
            "Our Go service's memory climbs slowly for days and then it gets OOM-killed. pprof heap shows mostly []byte from bufio and net/http. Goroutine count also grows, from ~200 at start to ~40k before the kill. What could cause this pattern and how do I find it?",
        ],
        [
            F,
            "Since the Node 18 → 20 upgrade, about one in 500 requests to our PDF service takes exactly 30 seconds and then succeeds. Not tied to a particular document. We use a pool of puppeteer browsers. Where would you look?",
        ],
        [
            M,
            "Our nightly job that emails reports takes 3 hours; it loops over 40k customers and for each one runs 4 queries and renders a template. It's one Python file. How can I make it faster without changing the infrastructure? I can share the file if needed, but the structure is: for customer in all_customers: stats = get_stats(customer.id); html = render(stats); send(html).",
        ],
        [
            F,
            "Clock skew between our nodes seems to be causing duplicate order ids from our snowflake-style id generator, but only after a VM migration event. We need ids that are unique across 30 nodes and roughly sortable. Redesign it.",
        ],
        [
            F,
            "We had an outage yesterday: a config push with a typo took down all regions within 4 minutes. I need to write the postmortem and, more importantly, propose how config changes should roll out from now on (validation, staged rollout, automatic rollback). Help me with the design part.",
        ],
    ]),
    ...family("long_migration", [
        [
            F,
            "We have ~900 Jest test files and want to move to Vitest. Some use jest.mock with factory hoisting, some use fake timers, a few use jest-specific snapshot serializers. What's the migration plan, what can be codemodded, and how do we keep CI green during the transition?",
        ],
        [
            M,
            "I need to port this one module from Python 2 to Python 3. It uses `dict.iteritems`, `print` statements, `unicode`, and `urllib2`. Can you convert it and point out anything that changes behaviour?\n\n```python\nimport urllib2\n\ndef fetch_titles(urls):\n    out = {}\n    for u in urls:\n        html = urllib2.urlopen(u).read()\n        start = html.find('<title>')\n        end = html.find('</title>')\n        out[u] = unicode(html[start + 7:end], 'utf-8')\n    for k, v in out.iteritems():\n        print k, v\n    return out\n```",
        ],
        [
            F,
            "We're moving from a single Postgres to Aurora Postgres in another AWS account, with a cutover window of at most 5 minutes. 1.2 TB, heavy writes, logical replication possible. Lay out the steps, the validation, and the rollback.",
        ],
        [
            M,
            "migrate this one Express route file from callbacks to async/await and from `var` to const/let. keep the API identical",
        ],
        [
            F,
            "upgrading our android app from java to kotlin gradually — 400 classes, dagger 2 for DI, rxjava everywhere. should we also move to coroutines and hilt at the same time? give me a phased plan",
        ],
        [
            F,
            "We're switching our whole org from REST+JSON to protobuf over gRPC for service-to-service calls, 35 services in 4 languages. How do we handle schema ownership, breaking changes, and the period when both protocols run side by side?",
        ],
        [
            M,
            "Write the Alembic migration to split the `name` column of `customers` into `first_name` and `last_name` (split on the first space), with a downgrade that joins them back.",
        ],
    ]),
    ...family("long_easy", [
        [
            L,
            "Our team agreed on a new naming convention at today's standup, boolean variables should start with is/has/should. Most of the code already follows it. In this one file could you rename `active` to `isActive` and `admin` to `isAdmin`? Nothing else.\n\n```ts\nexport interface Member {\n  id: string;\n  active: boolean;\n  admin: boolean;\n}\n\nexport function canEdit(m: Member): boolean {\n  return m.active && m.admin;\n}\n\nexport function label(m: Member): string {\n  return m.admin ? `${m.id} (admin)` : m.id;\n}\n```",
        ],
        [
            L,
            "I'm preparing the 2.4.0 release. Here are the merged PR titles since 2.3.0, can you turn them into a changelog grouped by Added / Fixed / Changed?\n\n- Add CSV export for reports (#412)\n- Fix crash when avatar URL is empty (#415)\n- Bump minimum Node to 20 (#418)\n- Add dark mode toggle (#420)\n- Fix timezone offset in weekly digest (#421)\n- Rename 'workspace' to 'team' in the UI (#425)",
        ],
        [
            L,
            "We use Google style docstrings in this repo. Could you add one to this function? It's used by the billing team so mention that amounts are in cents.\n\n```python\ndef split_evenly(total_cents, n):\n    base, rest = divmod(total_cents, n)\n    return [base + (1 if i < rest else 0) for i in range(n)]\n```",
        ],
        [
            L,
            "New joiner here, sorry if this is basic. In our codebase I keep seeing `Object.freeze(...)` around config objects. What does it do and does it freeze nested objects too?",
        ],
        [
            M,
            "Product asked for a small change: the signup form should show the password rules as a checklist that ticks as you type (8+ chars, a number, an uppercase letter, a symbol). It's a plain React component with useState for the password. Can you add the checklist and a test with Testing Library?",
        ],
        [
            L,
            "Can you write a README section for our CLI's install step? It's `pipx install acme-cli`, needs Python 3.10+, and after install you run `acme login` once. Keep it short, markdown.",
        ],
        [
            M,
            "Our support team needs a script: read a CSV of user ids, call GET /admin/users/{id} for each (bearer token from env ADMIN_TOKEN), and write out a CSV with id, email, plan and last_login. Handle 404s by writing empty fields. Python, requests is installed.",
        ],
        [
            L,
            "The linter in CI complains about line length in this file, max is 100. Could you wrap the long lines without changing anything else?\n\n```python\ndef notify(user, message, channel='email', priority='normal', retries=3, template='default', locale='en'):\n    logger.info('sending notification to %s via %s with priority %s and template %s', user.id, channel, priority, template)\n    return dispatcher.send(user=user, message=message, channel=channel, priority=priority, retries=retries, template=template)\n```",
        ],
    ]),
];
