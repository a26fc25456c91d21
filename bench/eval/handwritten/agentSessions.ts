/**
 * Agent sessions in the terminal agent's and the patch agent's envelopes (agentClients.ts): first turns
 * (the task's tier), loops going on (at least mid), and loops whose last two or more tool results failed
 * (frontier). The terminal agent flags failures; the patch agent's outputs only show an exit code.
 */
import { F, L, M, call, family, result, user } from "./corpus.js";
import { patchAgent, session, terminalAgent } from "./agentClients.js";

const reminder =
    "<system-reminder>The task list is empty. If this task has several steps, use TodoWrite to plan it.</system-reminder>";

export const terminalSessions = family("agent_terminal", [
    session(terminalAgent, L, [user(`${reminder}\nadd a .nvmrc with node 20`)]),
    session(terminalAgent, M, [
        user(
            "the /api/invoices endpoint should accept ?status=paid|open|void as a filter. add it with validation and a test",
        ),
    ]),
    session(terminalAgent, F, [
        user(
            "We keep getting 'Too many connections' from postgres in prod a few times a week, always during deploys. Figure out where the API leaks or multiplies connections and fix it properly.",
        ),
    ]),
    session(terminalAgent, M, [
        user("fix the failing test in packages/shared"),
        call("t1", "Bash", { command: "pnpm --filter shared test" }),
        result(
            "t1",
            " FAIL  src/slug.test.ts > slugify > strips accents\nAssertionError: expected 'cafe-creme' to be 'café-crème'\n\n Test Files  1 failed | 6 passed (7)\n      Tests  1 failed | 41 passed (42)",
            true,
        ),
        call("t2", "Read", { file_path: "packages/shared/src/slug.ts" }),
        result(
            "t2",
            "     1\texport function slugify(s: string): string {\n     2\t  return s\n     3\t    .normalize('NFKD')\n     4\t    .replace(/[\\u0300-\\u036f]/g, '')\n     5\t    .toLowerCase()\n     6\t    .replace(/[^a-z0-9]+/g, '-')\n     7\t    .replace(/^-|-$/g, '');\n     8\t}",
        ),
    ]),
    session(terminalAgent, F, [
        user("make the e2e suite pass again, it broke after the next.js upgrade"),
        call("t1", "Bash", { command: "pnpm --filter web test:e2e" }),
        result(
            "t1",
            "Error: Cannot find module 'next/dist/server/future/route-modules/app-page/vendored/contexts/app-router-context'\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)",
            true,
        ),
        call("t2", "Edit", {
            file_path: "apps/web/test/setup.ts",
            old_string: "next/dist/server/future/route-modules/app-page/vendored/contexts/app-router-context",
            new_string: "next/dist/shared/lib/app-router-context.shared-runtime",
        }),
        result("t2", "Edited apps/web/test/setup.ts"),
        call("t3", "Bash", { command: "pnpm --filter web test:e2e" }),
        result(
            "t3",
            "TypeError: Cannot read properties of null (reading 'push')\n    at useRouter (apps/web/test/mocks/router.tsx:11:20)\n    at Header (apps/web/src/components/Header.tsx:18:17)\n\n 12 failed, 3 passed",
            true,
        ),
        call("t4", "Bash", { command: "pnpm --filter web test:e2e -- --reporter=line" }),
        result(
            "t4",
            "Error: browserType.launch: Executable doesn't exist at /home/dev/.cache/ms-playwright/chromium-1140/chrome-linux/chrome",
            true,
        ),
    ]),
    session(terminalAgent, M, [
        user("rename the `useAuthz` hook to `usePermissions` across apps/web"),
        call("t1", "Grep", { pattern: "useAuthz", path: "apps/web" }),
        result(
            "t1",
            "apps/web/src/hooks/useAuthz.ts\napps/web/src/components/Sidebar.tsx\napps/web/src/pages/settings.tsx\napps/web/src/pages/admin/index.tsx",
        ),
        call("t2", "Bash", {
            command: "git mv apps/web/src/hooks/useAuthz.ts apps/web/src/hooks/usePermissions.ts",
        }),
        result("t2", ""),
    ]),
    session(terminalAgent, L, [user("what does the `prepare` script in package.json do?")]),
    session(terminalAgent, F, [
        user(
            `${reminder}\nWe need multi-tenancy in the API. Right now every table is global. Add a tenant_id to every tenant-owned table, make every query scoped by the tenant from the JWT, and make it impossible to forget the scope in new code. Plan it first.`,
        ),
    ]),
    session(terminalAgent, M, [
        user("add an index on sessions(user_id) via a new migration and run it"),
        call("t1", "Glob", { pattern: "apps/api/migrations/*.sql" }),
        result(
            "t1",
            "apps/api/migrations/0001_init.sql\napps/api/migrations/0002_sessions.sql\napps/api/migrations/0003_audit_log.sql",
        ),
        call("t2", "Write", {
            file_path: "apps/api/migrations/0004_sessions_user_idx.sql",
            content: "CREATE INDEX CONCURRENTLY IF NOT EXISTS sessions_user_id_idx ON sessions(user_id);\n",
        }),
        result("t2", "File created successfully"),
        call("t3", "Bash", { command: "pnpm --filter api migrate" }),
        result(
            "t3",
            "ERROR: CREATE INDEX CONCURRENTLY cannot run inside a transaction block\nmigration 0004_sessions_user_idx.sql failed",
            true,
        ),
    ]),
    session(terminalAgent, F, [
        user("typecheck is failing, fix it"),
        call("t1", "Bash", { command: "pnpm -r typecheck" }),
        result(
            "t1",
            "apps/api/src/routes/users.ts(41,7): error TS2322: Type 'string | undefined' is not assignable to type 'string'.\napps/api/src/routes/users.ts(58,3): error TS2345: Argument of type 'User | null' is not assignable to parameter of type 'User'.",
            true,
        ),
        call("t2", "Edit", {
            file_path: "apps/api/src/routes/users.ts",
            old_string: "const email: string = body.email",
            new_string: "const email: string = body.email ?? ''",
        }),
        result(
            "t2",
            "Error: old_string not found in file. Make sure it matches exactly, including whitespace.",
            true,
        ),
        call("t3", "Edit", {
            file_path: "apps/api/src/routes/users.ts",
            old_string: "const email: string = body.email;",
            new_string: "const email = body.email ?? '';",
        }),
        result("t3", "Error: old_string not found in file.", true),
    ]),
    session(terminalAgent, M, [
        user("write tests for packages/shared/src/money.ts, it has none"),
        call("t1", "Read", { file_path: "packages/shared/src/money.ts" }),
        result(
            "t1",
            "     1\texport type Cents = number & { readonly __brand: 'Cents' };\n     2\texport const cents = (n: number): Cents => Math.round(n) as Cents;\n     3\texport function add(a: Cents, b: Cents): Cents { return (a + b) as Cents; }\n     4\texport function allocate(total: Cents, ratios: number[]): Cents[] {\n     5\t  const sum = ratios.reduce((s, r) => s + r, 0);\n     6\t  const parts = ratios.map((r) => Math.floor((total * r) / sum));\n     7\t  let rest = total - parts.reduce((s, p) => s + p, 0);\n     8\t  for (let i = 0; rest > 0; i++, rest--) parts[i % parts.length]! += 1;\n     9\t  return parts as Cents[];\n    10\t}",
        ),
        call("t2", "Glob", { pattern: "packages/shared/src/*.test.ts" }),
        result("t2", "packages/shared/src/slug.test.ts\npackages/shared/src/dates.test.ts"),
    ]),
    session(terminalAgent, M, [
        user("commit message for what's staged"),
        call("t1", "Bash", { command: "git diff --cached" }),
        result(
            "t1",
            "diff --git a/apps/web/src/components/Footer.tsx b/apps/web/src/components/Footer.tsx\n@@ -8,7 +8,7 @@ export function Footer() {\n-      <p>© 2025 Acme Inc.</p>\n+      <p>© {new Date().getFullYear()} Acme Inc.</p>",
        ),
    ]),
    session(terminalAgent, F, [
        user("the websocket notifications sometimes arrive out of order for the same document. investigate"),
        call("t1", "Grep", { pattern: "publish\\(", path: "apps/api/src" }),
        result(
            "t1",
            "apps/api/src/notify/publisher.ts:22:  await redis.publish(channel, JSON.stringify(evt));\napps/api/src/docs/service.ts:87:    publish(docChannel(doc.id), { type: 'updated', rev: doc.rev });",
        ),
        call("t2", "Read", { file_path: "apps/api/src/docs/service.ts", offset: 70, limit: 30 }),
        result(
            "t2",
            "    70\t  async update(id: string, patch: Patch) {\n    71\t    const doc = await this.repo.applyPatch(id, patch);\n    ...\n    87\t    publish(docChannel(doc.id), { type: 'updated', rev: doc.rev });\n    88\t    return doc;\n    89\t  }",
        ),
    ]),
    session(terminalAgent, M, [
        user("bump zod to the latest 3.x and fix whatever breaks"),
        call("t1", "Bash", { command: "pnpm -r up zod@^3 && pnpm -r typecheck" }),
        result(
            "t1",
            "packages/shared/src/schemas.ts(12,32): error TS2554: Expected 1-2 arguments, but got 3.\n\nExit status 2",
            true,
        ),
        call("t2", "Read", { file_path: "packages/shared/src/schemas.ts", offset: 1, limit: 20 }),
        result("t2", "    12\texport const Email = z.string().email('bad email', {}, 'email');"),
    ]),
]);

export const patchSessions = family("agent_patch", [
    session(patchAgent, M, [
        user("Add a --json flag to `inventory list` that prints the items as JSON instead of the table."),
    ]),
    session(patchAgent, L, [user("Fix the typo 'recieved' in cmd/inventory/main.go.")]),
    session(patchAgent, F, [
        user(
            "The sync command sometimes corrupts the local cache when two syncs run at once (cron + a user). Make concurrent syncs safe across processes, and prove to me it's safe.",
        ),
    ]),
    session(patchAgent, M, [
        user("go vet complains, clean it up"),
        call("c1", "run", { command: "go vet ./..." }),
        result(
            "c1",
            "Exit code: 1\nWall time: 2.1 seconds\nOutput:\n# example.com/inventory/store\nstore/store.go:88:2: printf: fmt.Sprintf format %d has arg name of wrong type string",
        ),
        call("c2", "patch", {
            input: '*** Begin Patch\n*** Update File: store/store.go\n@@\n-\tkey := fmt.Sprintf("item-%d", name)\n+\tkey := fmt.Sprintf("item-%s", name)\n*** End Patch',
        }),
        result("c2", "Exit code: 0\nOutput:\nDone!"),
    ]),
    session(patchAgent, F, [
        user("Make `go test ./...` pass."),
        call("c1", "run", { command: "go test ./..." }),
        result(
            "c1",
            "Exit code: 1\nWall time: 14.2 seconds\nOutput:\n--- FAIL: TestSyncConflict (5.00s)\n    sync_test.go:77: timed out waiting for second writer\nFAIL\tgithub.com/acme/inventory/sync\t5.013s",
        ),
        call("c2", "run", { command: "go test ./sync -run TestSyncConflict -count=5 -race" }),
        result(
            "c2",
            "Exit code: 1\nOutput:\n==================\nWARNING: DATA RACE\nWrite at 0x00c0001a4090 by goroutine 23:\n  github.com/acme/inventory/sync.(*Syncer).apply()\n      /src/sync/sync.go:141 +0x1f4\nPrevious read at 0x00c0001a4090 by goroutine 22:\n  github.com/acme/inventory/sync.(*Syncer).pending()\n      /src/sync/sync.go:96 +0x88\n==================\nFAIL",
        ),
        call("c3", "patch", {
            input: "*** Begin Patch\n*** Update File: sync/sync.go\n@@ func (s *Syncer) apply(op Op) error {\n+\ts.mu.Lock()\n+\tdefer s.mu.Unlock()\n*** End Patch",
        }),
        result("c3", "Exit code: 0\nOutput:\nDone!"),
        call("c4", "run", { command: "go test ./sync -count=5 -race" }),
        result(
            "c4",
            "Exit code: 1\nOutput:\n--- FAIL: TestSyncConflict (5.00s)\n    sync_test.go:77: timed out waiting for second writer\nFAIL",
        ),
    ]),
    session(patchAgent, M, [
        user("Return a 404 instead of a 500 when the item does not exist in GET /items/{id}."),
        call("c1", "run", { command: 'grep -rn "func getItem" .' }),
        result(
            "c1",
            "Exit code: 0\nOutput:\n./api/items.go:54:func getItem(w http.ResponseWriter, r *http.Request) {",
        ),
        call("c2", "run", { command: "sed -n 54,80p api/items.go" }),
        result(
            "c2",
            'Exit code: 0\nOutput:\nfunc getItem(w http.ResponseWriter, r *http.Request) {\n\tid := r.PathValue("id")\n\titem, err := store.Get(r.Context(), id)\n\tif err != nil {\n\t\thttp.Error(w, err.Error(), 500)\n\t\treturn\n\t}\n\twriteJSON(w, item)\n}',
        ),
    ]),
    session(patchAgent, F, [
        user(
            "Split the store package: it imports api for the error types and api imports store. Break the cycle and move things where they belong.",
        ),
        call("c1", "run", { command: "go build ./..." }),
        result(
            "c1",
            "Exit code: 1\nOutput:\npackage example.com/inventory/api\n\timports example.com/inventory/store\n\timports example.com/inventory/api: import cycle not allowed",
        ),
    ]),
    session(patchAgent, F, [
        user("Add retries to the HTTP client in internal/fetch."),
        call("c1", "patch", {
            input: "*** Begin Patch\n*** Update File: internal/fetch/client.go\n@@\n-func (c *Client) Do(req *http.Request) (*http.Response, error) {\n+func (c *Client) Do(req *http.Request) (*http.Response, error) {\n+\tfor i := 0; i < 3; i++ {\n*** End Patch",
        }),
        result(
            "c1",
            "Exit code: 1\nOutput:\nerror: patch failed: internal/fetch/client.go: context line not found",
        ),
        call("c2", "patch", {
            input: "*** Begin Patch\n*** Update File: internal/fetch/client.go\n@@ func (c *Client) Do\n+\tfor attempt := 0; attempt < 3; attempt++ {\n*** End Patch",
        }),
        result(
            "c2",
            "Exit code: 1\nOutput:\nerror: patch failed: internal/fetch/client.go: hunk does not apply",
        ),
        call("c3", "run", { command: "cat internal/fetch/client.go" }),
        result("c3", "Exit code: 1\nOutput:\ncat: internal/fetch/client.go: No such file or directory"),
    ]),
    session(patchAgent, M, [
        user("Write table-driven tests for parseSKU in store/sku.go."),
        call("c1", "run", { command: "cat store/sku.go" }),
        result(
            "c1",
            'Exit code: 0\nOutput:\npackage store\n\n// parseSKU splits "AB-1234-XL" into its family, number and size.\nfunc parseSKU(s string) (family string, n int, size string, err error) {\n\tparts := strings.Split(s, "-")\n\tif len(parts) != 3 {\n\t\treturn "", 0, "", fmt.Errorf("sku %q: want 3 parts", s)\n\t}\n\tn, err = strconv.Atoi(parts[1])\n\tif err != nil {\n\t\treturn "", 0, "", fmt.Errorf("sku %q: %w", s, err)\n\t}\n\treturn parts[0], n, parts[2], nil\n}',
        ),
    ]),
    session(patchAgent, L, [
        user("Add a doc comment to every exported function in store/sku.go. Nothing else."),
    ]),
    session(patchAgent, M, [
        user("the build is broken on main"),
        call("c1", "run", { command: "go build ./..." }),
        result(
            "c1",
            "Exit code: 1\nOutput:\n# example.com/inventory/cmd/inventory\ncmd/inventory/main.go:33:15: undefined: store.OpenReadOnly",
        ),
        call("c2", "run", { command: "git log -3 --oneline -- store/" }),
        result(
            "c2",
            "Exit code: 0\nOutput:\n9f1c2ab store: rename OpenReadOnly to OpenRO\n1d0e7f3 store: add sku parsing\n77aa012 store: initial",
        ),
    ]),
]);
