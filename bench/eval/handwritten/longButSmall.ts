/**
 * Requests that are long for reasons other than the task: a whole file pasted for a rename or a
 * docstring, a big diff for a commit message, a log for one line's meaning, an agent's system prompt and
 * tools around a one-line task. Also bugs in one function told with a long trace. (Written after the
 * first build's per-batch report showed such requests sent a tier or two too high.)
 */
import { F, L, M, assistant, call, family, result, user } from "./corpus.js";
import { pairChat, panelAgent, patchAgent, session, terminalAgent } from "./agentClients.js";

const settingsPy = `import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "orders",
    "customers",
    "billing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("DB_NAME", "shop"),
        "USER": os.environ.get("DB_USER", "shop"),
        "PASSWORD": os.environ.get("DB_PASSWORD", ""),
        "HOST": os.environ.get("DB_HOST", "localhost"),
        "PORT": os.environ.get("DB_PORT", "5432"),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_TZ = True
STATIC_URL = "static/"
`;

const utilsGo = `package textutil

import (
	"strings"
	"unicode"
)

func Words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

func Title(s string) string {
	ws := Words(s)
	for i, w := range ws {
		ws[i] = strings.ToUpper(w[:1]) + strings.ToLower(w[1:])
	}
	return strings.Join(ws, " ")
}

func Truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func CountVowels(s string) int {
	n := 0
	for _, r := range strings.ToLower(s) {
		if strings.ContainsRune("aeiou", r) {
			n++
		}
	}
	return n
}

func Reverse(s string) string {
	r := []rune(s)
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
	return string(r)
}
`;

const bigDiff = `diff --git a/src/components/Table.tsx b/src/components/Table.tsx
index 1a2b3c4..5d6e7f8 100644
--- a/src/components/Table.tsx
+++ b/src/components/Table.tsx
@@ -1,9 +1,10 @@
-import React from "react";
+import React, { useMemo } from "react";
 import { Column } from "./types";
+import { sortRows } from "./sortRows";

 export function Table({ rows, columns, sortBy }: Props) {
-  const sorted = [...rows].sort((a, b) => (a[sortBy] > b[sortBy] ? 1 : -1));
+  const sorted = useMemo(() => sortRows(rows, sortBy), [rows, sortBy]);
   return (
     <table>
diff --git a/src/components/sortRows.ts b/src/components/sortRows.ts
new file mode 100644
index 0000000..9a8b7c6
--- /dev/null
+++ b/src/components/sortRows.ts
@@ -0,0 +1,12 @@
+export function sortRows<T extends Record<string, unknown>>(rows: readonly T[], key: keyof T): T[] {
+  return [...rows].sort((a, b) => {
+    const x = a[key];
+    const y = b[key];
+    if (x === y) return 0;
+    if (x === undefined || x === null) return 1;
+    if (y === undefined || y === null) return -1;
+    return x > y ? 1 : -1;
+  });
+}
diff --git a/src/components/sortRows.test.ts b/src/components/sortRows.test.ts
new file mode 100644
--- /dev/null
+++ b/src/components/sortRows.test.ts
@@ -0,0 +1,14 @@
+import { describe, expect, it } from "vitest";
+import { sortRows } from "./sortRows";
+
+describe("sortRows", () => {
+  it("puts missing values last", () => {
+    expect(sortRows([{ a: 2 }, {}, { a: 1 }], "a")).toEqual([{ a: 1 }, { a: 2 }, {}]);
+  });
+  it("does not mutate its input", () => {
+    const rows = [{ a: 2 }, { a: 1 }];
+    sortRows(rows, "a");
+    expect(rows[0]!.a).toBe(2);
+  });
+});
`;

const nginxLog = `2026/11/19 08:14:02 [notice] 1#1: using the "epoll" event method
2026/11/19 08:14:02 [notice] 1#1: nginx/1.27.2
2026/11/19 08:14:02 [notice] 1#1: start worker processes
10.0.3.17 - - [19/Nov/2026:08:15:40 +0000] "GET /api/health HTTP/1.1" 200 2 "-" "kube-probe/1.30"
10.0.3.17 - - [19/Nov/2026:08:15:50 +0000] "GET /api/health HTTP/1.1" 200 2 "-" "kube-probe/1.30"
10.0.1.88 - - [19/Nov/2026:08:16:03 +0000] "POST /api/orders HTTP/1.1" 201 412 "https://shop.example.com/" "Mozilla/5.0"
2026/11/19 08:16:09 [warn] 22#22: *118 an upstream response is buffered to a temporary file /var/cache/nginx/proxy_temp/1/00/0000000001 while reading upstream, client: 10.0.1.88, server: shop.example.com, request: "GET /api/reports/export HTTP/1.1", upstream: "http://10.0.2.5:8000/api/reports/export", host: "shop.example.com"
10.0.1.88 - - [19/Nov/2026:08:16:11 +0000] "GET /api/reports/export HTTP/1.1" 200 1877321 "https://shop.example.com/reports" "Mozilla/5.0"
`;

export const longButSmall = [
    ...family("long_local", [
        [
            L,
            `rename DB_NAME to DATABASE_NAME (the env var, in this file only)\n\n\`\`\`python\n${settingsPy}\`\`\``,
        ],
        [
            L,
            `add a comment above each section of this settings file (apps, middleware, database, i18n)\n\n${settingsPy}`,
        ],
        [L, `add go doc comments to every exported function\n\n\`\`\`go\n${utilsGo}\`\`\``],
        [
            M,
            `write table-driven tests for Truncate and Title, including unicode and empty strings\n\n\`\`\`go\n${utilsGo}\`\`\``,
        ],
        [L, `write the commit message for this diff\n\n${bigDiff}`],
        [L, `${bigDiff}\n\nPR title and a 3-bullet description please`],
        [M, `${bigDiff}\n\nreview this, anything wrong with the sort for mixed types or with the memo deps?`],
        [
            L,
            `what does the "upstream response is buffered to a temporary file" warning mean in this log? is it a problem?\n\n\`\`\`\n${nginxLog}\`\`\``,
        ],
        [
            M,
            `${nginxLog}\nthe export endpoint is slow and nginx buffers it to disk. change the nginx location block so this one endpoint streams without buffering, keep the rest as is`,
        ],
        [
            L,
            `sort the INSTALLED_APPS list: django first, then third party, then ours, alphabetical inside each group\n\n\`\`\`python\n${settingsPy}\`\`\``,
        ],
        [
            M,
            `make DEBUG, ALLOWED_HOSTS and the database settings come from one DATABASE_URL / typed env helper instead of os.environ everywhere, this file only\n\n\`\`\`python\n${settingsPy}\`\`\``,
        ],
        [
            F,
            `this is our prod settings.py. audit it for security problems and tell me everything else we need for a hardened django deployment (headers, cookies, secrets handling, admin exposure)\n\n\`\`\`python\n${settingsPy}\`\`\``,
        ],
        [L, `add one-line comments to Reverse and Truncate, nothing else\n\n\`\`\`go\n${utilsGo}\`\`\``],
        [
            M,
            `Title panics on a string that contains an empty word? also on non-ASCII first letters it does the wrong thing. fix Title only\n\n\`\`\`go\n${utilsGo}\`\`\``,
        ],
    ]),
    ...family("agent_small", [
        session(terminalAgent, L, [user("add `coverage/` to .gitignore")]),
        session(terminalAgent, L, [
            user(
                "<system-reminder>The user opened apps/web/src/lib/format.ts in the IDE.</system-reminder>\nadd a JSDoc to formatBytes in that file",
            ),
        ]),
        session(patchAgent, L, [
            user("Change the default timeout in internal/fetch/client.go from 10s to 30s."),
        ]),
        session(panelAgent, L, [user("what does `git stash pop` do if there's a conflict")]),
        session(terminalAgent, M, [
            user("add `coverage/` to .gitignore"),
            call("t1", "Bash", { command: "echo 'coverage/' >> .gitignore && tail -3 .gitignore" }),
            result("t1", "dist/\n.env\ncoverage/"),
            assistant("Added coverage/ to .gitignore."),
            user("also add .turbo and *.log while you're at it"),
        ]),
        session(patchAgent, M, [
            user("Rename the package-level var `cfg` to `config` in cmd/inventory/main.go."),
            call("c1", "run", { command: 'grep -n "cfg" cmd/inventory/main.go' }),
            result(
                "c1",
                "Exit code: 0\nOutput:\n12:var cfg Config\n31:\tif err := cfg.Load(*configPath); err != nil {\n44:\tstore.Open(cfg.DataDir)",
            ),
        ]),
        session(panelAgent, M, [
            user("write a docstring for every function in utils/strings.py"),
            call("p1", "read_file", { filepath: "utils/strings.py" }),
            result(
                "p1",
                "import re\n\n\ndef slug(s):\n    return re.sub(r'[^a-z0-9]+', '-', s.lower()).strip('-')\n\n\ndef truncate(s, n, ellipsis='…'):\n    return s if len(s) <= n else s[: n - len(ellipsis)] + ellipsis",
            ),
        ]),
        session(pairChat, L, [
            user(
                `I added these files to the chat so you can edit them.\n\ntextutil/textutil.go\n\`\`\`\n${utilsGo}\`\`\``,
            ),
            assistant("Ok, any changes I propose will be to those files."),
            user("rename CountVowels to VowelCount"),
        ]),
        session(pairChat, M, [
            user(
                `I added these files to the chat so you can edit them.\n\nshop/settings.py\n\`\`\`\n${settingsPy}\`\`\``,
            ),
            assistant("Ok, any changes I propose will be to those files."),
            user(
                "add a LOGGING config that logs json to stdout, level from LOG_LEVEL env, and silences django.db.backends below WARNING",
            ),
        ]),
        session(pairChat, L, [
            user(
                "I added these files to the chat so you can edit them.\n\nREADME.md\n```\n# shop\n\nA django shop.\n\n## Setup\n\npip install -r requirements.txt\npython manage.py migrate\n```",
            ),
            assistant("Ok, any changes I propose will be to those files."),
            user("add a section on running the tests: `pytest`, needs a local postgres"),
        ]),
        session(terminalAgent, F, [
            user(
                "<system-reminder>The user opened apps/api/src/server.ts in the IDE.</system-reminder>\nrequests hang forever every few days until we restart the api, no errors logged. find it",
            ),
        ]),
        session(panelAgent, F, [
            user(
                "look through the whole project and tell me how to restructure it into separate packages for the cli, the core library and the web ui",
            ),
        ]),
    ]),
    ...family("trace_c", [
        [
            M,
            'getting this in our api when a user has no address\n\n```\nTraceback (most recent call last):\n  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/exception.py", line 55, in inner\n    response = get_response(request)\n  File "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response\n    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n  File "/usr/local/lib/python3.12/site-packages/rest_framework/views.py", line 509, in dispatch\n    response = self.handle_exception(exc)\n  File "/app/customers/views.py", line 88, in retrieve\n    data[\'city\'] = customer.address.city\nAttributeError: \'NoneType\' object has no attribute \'city\'\n```',
        ],
        [
            L,
            "what's this warning, can I ignore it?\n\n```\nDeprecationWarning: datetime.datetime.utcnow() is deprecated and scheduled for removal in a future version. Use timezone-aware objects to represent datetimes in UTC: datetime.datetime.now(datetime.UTC).\n```",
        ],
        [
            M,
            'Exception in thread "main" java.lang.NumberFormatException: For input string: "12,5"\n\tat java.base/jdk.internal.math.FloatingDecimal.readJavaFormatString(FloatingDecimal.java:2054)\n\tat java.base/java.lang.Double.parseDouble(Double.java:651)\n\tat com.acme.importer.PriceParser.parse(PriceParser.java:17)\n\tat com.acme.importer.Main.main(Main.java:42)\n\nthe files come from germany. make PriceParser.parse handle both 12.5 and 12,5 and thousands separators',
        ],
        [
            L,
            "```\n$ git push\nTo github.com:acme/shop.git\n ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs to 'github.com:acme/shop.git'\nhint: Updates were rejected because the remote contains work that you do not have locally.\n```\nwhat do I do",
        ],
        [
            M,
            "```\nerror[E0502]: cannot borrow `self.items` as mutable because it is also borrowed as immutable\n  --> src/inventory.rs:41:13\n   |\n38 |         let first = self.items.first();\n   |                     ---------- immutable borrow occurs here\n...\n41 |             self.items.push(item.clone());\n   |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ mutable borrow occurs here\n42 |         }\n43 |         first.map(|f| f.id)\n   |         ----- immutable borrow later used here\n```\nhow do I restructure this function",
        ],
        [
            F,
            "```\n2026-11-18T22:41:07Z WARN  pool: connection 0x7f3a checked out for 30012ms (leak?)\n2026-11-18T22:41:07Z WARN  pool: connection 0x7f51 checked out for 30009ms (leak?)\n2026-11-18T22:41:09Z ERROR api: acquire timed out after 5000ms (pool size 20, in use 20, waiting 143)\n2026-11-18T22:41:09Z ERROR api: GET /v2/feed 503\n```\nThis happens a couple of times a week, always in the evening peak, and clears by itself after ~10 minutes. The feed handler fans out to 6 queries. Help me find the root cause.",
        ],
        [
            L,
            "```\nWARN[0000] /home/me/app/docker-compose.yml: the attribute `version` is obsolete, it will be ignored\n```\nshould I just delete the version line?",
        ],
        [
            M,
            "our test fails only on CI with `AssertionError: expected '2026-03-29T01:00:00.000Z' to equal '2026-03-29T02:00:00.000Z'`. CI runs in UTC, we're in Europe/Berlin. it's testing addDays(date, 1) across the DST change. fix addDays",
        ],
    ]),
];
