/**
 * More agent sessions, across the clients: small first turns (a rename, a docstring, a config value),
 * loops that go well, loops with one failure and loops that are stuck, and sessions that end on the
 * human's words after some tool rounds.
 */
import { F, L, M, assistant, call, family, result, user } from "./corpus.js";
import { editorAgent, panelAgent, patchAgent, session, terminalAgent } from "./agentClients.js";

export const moreSessions = family("agent_mixed", [
    session(terminalAgent, L, [user("rename the `cfg` parameter to `config` in apps/api/src/server.ts")]),
    session(patchAgent, L, [user("Bump the version in VERSION from 1.4.2 to 1.4.3.")]),
    session(editorAgent, L, [
        user(
            "<user_query>\nadd a comment explaining the magic number 86400 in src/jobs/cleanup.ts\n</user_query>",
        ),
    ]),
    session(panelAgent, L, [
        user(
            "write the docstring for the function under my cursor: def normalize_phone(raw: str, region: str = 'US') -> str",
        ),
    ]),
    session(terminalAgent, M, [
        user("add a `--verbose` flag to scripts/import.ts that logs each row"),
        call("t1", "Read", { file_path: "scripts/import.ts" }),
        result(
            "t1",
            "     1\timport { parseArgs } from 'node:util';\n     2\tconst { values } = parseArgs({ options: { file: { type: 'string' } } });\n     3\tfor (const row of readRows(values.file!)) {\n     4\t  await insert(row);\n     5\t}",
        ),
        call("t2", "Edit", {
            file_path: "scripts/import.ts",
            old_string: "options: { file: { type: 'string' } }",
            new_string: "options: { file: { type: 'string' }, verbose: { type: 'boolean' } }",
        }),
        result("t2", "The file scripts/import.ts has been updated."),
    ]),
    session(terminalAgent, F, [
        user("deploy script broke, fix it"),
        call("t1", "Bash", { command: "./scripts/deploy.sh staging" }),
        result(
            "t1",
            "+ aws ecr get-login-password --region eu-west-1\nAn error occurred (UnrecognizedClientException) when calling the GetAuthorizationToken operation: The security token included in the request is invalid.",
            true,
        ),
        call("t2", "Bash", { command: "aws sts get-caller-identity" }),
        result(
            "t2",
            "An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.",
            true,
        ),
        call("t3", "Bash", { command: "AWS_PROFILE=deploy ./scripts/deploy.sh staging" }),
        result("t3", "The config profile (deploy) could not be found", true),
    ]),
    session(patchAgent, M, [
        user("Make the `list` command sort by name by default and accept --sort=date."),
        call("c1", "run", { command: 'grep -n "sort" cmd/inventory/list.go' }),
        result("c1", "Exit code: 1\nOutput:\n"),
        call("c2", "run", { command: "sed -n 1,60p cmd/inventory/list.go" }),
        result(
            "c2",
            "Exit code: 0\nOutput:\npackage main\n\nfunc listCmd(args []string) error {\n\titems, err := store.All()\n\tif err != nil {\n\t\treturn err\n\t}\n\tprintTable(items)\n\treturn nil\n}",
        ),
    ]),
    session(patchAgent, F, [
        user(
            "Make the importer idempotent: re-running it on the same file must not create duplicates, even if two importers run at once on different machines.",
        ),
    ]),
    session(editorAgent, M, [
        user("<user_query>\nthe signup test is failing after my change, can you fix it\n</user_query>"),
        call("e1", "run_terminal_cmd", { command: "npx vitest run src/features/auth/signup.test.tsx" }),
        result(
            "e1",
            ' FAIL  src/features/auth/signup.test.tsx > submits the form\nTestingLibraryElementError: Unable to find an accessible element with the role "button" and name "Sign up"\n Tests  1 failed | 3 passed (4)',
        ),
        call("e2", "read_file", {
            target_file: "src/features/auth/SignupForm.tsx",
            start_line: 60,
            end_line: 80,
        }),
        result(
            "e2",
            '      <button type="submit" disabled={!valid}>\n        Create account\n      </button>',
        ),
    ]),
    session(editorAgent, F, [
        user("<user_query>\nset up the project so I can run it\n</user_query>"),
        call("e1", "run_terminal_cmd", { command: "pnpm install" }),
        result(
            "e1",
            ' ERR_PNPM_UNSUPPORTED_ENGINE  Unsupported environment (bad pnpm and/or Node.js version)\n\nYour Node version is incompatible with "acme-web@0.1.0".\nExpected version: >=22\nGot: v20.11.1',
        ),
        call("e2", "run_terminal_cmd", { command: "nvm install 22 && nvm use 22 && pnpm install" }),
        result("e2", "bash: nvm: command not found"),
        call("e3", "run_terminal_cmd", { command: "corepack enable && pnpm install --engine-strict=false" }),
        result(
            "e3",
            "Error: EACCES: permission denied, symlink '../lib/node_modules/corepack/dist/pnpm.js' -> '/usr/local/bin/pnpm'",
        ),
    ]),
    session(panelAgent, M, [
        user("add type hints to everything in utils/strings.py and make mypy happy"),
        call("p1", "run_terminal_command", { command: "mypy utils/strings.py --strict" }),
        result(
            "p1",
            "utils/strings.py:4: error: Function is missing a type annotation  [no-untyped-def]\nutils/strings.py:9: error: Function is missing a type annotation  [no-untyped-def]\nFound 2 errors in 1 file (checked 1 source file)",
        ),
        call("p2", "read_file", { filepath: "utils/strings.py" }),
        result(
            "p2",
            "import re\n\n\ndef slug(s):\n    return re.sub(r'[^a-z0-9]+', '-', s.lower()).strip('-')\n\n\ndef truncate(s, n, ellipsis='…'):\n    return s if len(s) <= n else s[: n - len(ellipsis)] + ellipsis",
        ),
    ]),
    session(terminalAgent, M, [
        user("add rate limiting to the login route, 5 attempts per 15 min per ip+email"),
        call("t1", "Grep", { pattern: "login", path: "apps/api/src/routes" }),
        result(
            "t1",
            "apps/api/src/routes/auth.ts:31:  app.post('/login', { schema: LoginSchema }, async (req, reply) => {",
        ),
        call("t2", "Bash", { command: "grep -n rate-limit apps/api/package.json" }),
        result("t2", "Exit status 1", true),
        call("t3", "Read", { file_path: "apps/api/package.json" }),
        result(
            "t3",
            '{\n  "name": "api",\n  "dependencies": {\n    "fastify": "^4.28.1",\n    "@fastify/redis": "^6.2.0",\n    "zod": "^3.23.8"\n  }\n}',
        ),
    ]),
    session(terminalAgent, F, [
        user(
            "Our CI takes 45 minutes. Find out where the time goes across all the workspaces and restructure the pipeline so it's under 15.",
        ),
        call("t1", "Read", { file_path: ".github/workflows/ci.yml" }),
        result(
            "t1",
            "     1\tname: ci\n     2\ton: [pull_request]\n     3\tjobs:\n     4\t  all:\n     5\t    runs-on: ubuntu-latest\n     6\t    steps:\n     7\t      - uses: actions/checkout@v4\n     8\t      - run: pnpm install\n     9\t      - run: pnpm -r build\n    10\t      - run: pnpm -r test\n    11\t      - run: pnpm --filter web test:e2e",
        ),
    ]),
    session(patchAgent, M, [
        user("tests fail after the rename, fix them"),
        call("c1", "run", { command: "go test ./store/..." }),
        result(
            "c1",
            "Exit code: 1\nOutput:\n# example.com/inventory/store [example.com/inventory/store.test]\nstore/store_test.go:19:9: undefined: OpenReadOnly\nFAIL\texample.com/inventory/store [build failed]",
        ),
        call("c2", "patch", {
            input: "*** Begin Patch\n*** Update File: store/store_test.go\n@@\n-\ts, err := OpenReadOnly(path)\n+\ts, err := OpenRO(path)\n*** End Patch",
        }),
        result("c2", "Exit code: 0\nOutput:\nDone!"),
        call("c3", "run", { command: "go test ./store/..." }),
        result("c3", "Exit code: 0\nOutput:\nok  \texample.com/inventory/store\t0.412s"),
    ]),
    session(terminalAgent, M, [
        user("what changed in the last release? summarize the commits since v2.3.0"),
        call("t1", "Bash", { command: "git log v2.3.0..HEAD --oneline" }),
        result(
            "t1",
            "a1b2c3d feat(web): dark mode toggle\n4e5f6a7 fix(api): handle empty avatar url\n8b9c0d1 chore: bump node to 20\n2e3f4a5 feat(api): csv export for reports\n6b7c8d9 refactor(web): rename workspace to team in UI",
        ),
    ]),
    session(editorAgent, M, [
        user(
            "<user_query>\nthe search results page is missing a loading state, add a skeleton while it fetches\n</user_query>",
        ),
        call("e1", "codebase_search", { query: "search results page component" }),
        result(
            "e1",
            "src/features/search/SearchResults.tsx\n  export function SearchResults({ query }: Props) {\n    const { data } = useSearch(query);\n    return <ResultList items={data ?? []} />;\n  }",
        ),
        call("e2", "edit_file", {
            target_file: "src/features/search/SearchResults.tsx",
            instructions: "add skeleton while loading",
            code_edit:
                "// ... existing code ...\n  const { data, isLoading } = useSearch(query);\n  if (isLoading) return <ResultSkeleton rows={6} />;\n// ... existing code ...",
        }),
        result(
            "e2",
            "The apply model made the following changes to the file... Linter errors:\nLine 9: Cannot find name 'ResultSkeleton'.",
        ),
    ]),
    session(panelAgent, F, [
        user("why is the build failing on CI but not for me"),
        call("p1", "run_terminal_command", { command: "npm run build" }),
        result("p1", "> build\n> tsc -p . && vite build\n\n✓ built in 4.21s"),
        assistant("It builds locally. Can you paste the CI log?"),
        user(
            "it says: Error: Cannot find module '@rollup/rollup-linux-x64-gnu'. npm has a bug related to optional dependencies. it only fails on the linux runners, on the mac runners it's fine. we tried deleting the lockfile already, and pinning rollup, both didn't help",
        ),
    ]),
    session(patchAgent, F, [
        user(
            "Port the CLI from flag to cobra; every subcommand, flags and help text must stay compatible. There are 23 subcommands under cmd/.",
        ),
    ]),
]);
