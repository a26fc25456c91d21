/**
 * More pasted code: TypeScript / JavaScript, C++, YAML (CI, Kubernetes, compose), Dockerfiles, Kotlin
 * and C#; some pastes are long and the ask is small, some short and the ask is hard.
 */
import { F, L, M, family } from "./corpus.js";

const longTsModule = `import { Router } from "express";
import { db } from "../db";
import { requireUser } from "../auth";

export const projects = Router();

projects.get("/", requireUser, async (req, res) => {
  const rows = await db.query("select * from projects where owner_id = $1", [req.user.id]);
  res.json(rows);
});

projects.get("/:id", requireUser, async (req, res) => {
  const row = await db.one("select * from projects where id = $1", [req.params.id]);
  res.json(row);
});

projects.post("/", requireUser, async (req, res) => {
  const { name, description } = req.body;
  const row = await db.one(
    "insert into projects(name, description, owner_id) values ($1, $2, $3) returning *",
    [name, description, req.user.id],
  );
  res.status(201).json(row);
});

projects.delete("/:id", requireUser, async (req, res) => {
  await db.none("delete from projects where id = $1", [req.params.id]);
  res.status(204).end();
});

projects.put("/:id", requireUser, async (req, res) => {
  const { name, description } = req.body;
  const row = await db.one(
    "update projects set name = $1, description = $2 where id = $3 returning *",
    [name, description, req.params.id],
  );
  res.json(row);
});
`;

export const pastedCode2 = [
    ...family("code_ts", [
        [L, `rename \`row\` to \`project\` everywhere in this file\n\n\`\`\`ts\n${longTsModule}\`\`\``],
        [
            F,
            `security review of this router before we open the API to customers. anything an attacker could do?\n\n\`\`\`ts\n${longTsModule}\`\`\``,
        ],
        [
            M,
            `add pagination (limit/offset, max 100) to the list route and tests for it\n\n\`\`\`ts\n${longTsModule}\`\`\``,
        ],
        [
            L,
            "add JSDoc\n```ts\nexport function debounce<T extends (...args: any[]) => void>(fn: T, ms: number) {\n  let t: ReturnType<typeof setTimeout> | undefined;\n  return (...args: Parameters<T>) => {\n    clearTimeout(t);\n    t = setTimeout(() => fn(...args), ms);\n  };\n}\n```",
        ],
        [
            M,
            "I want a type that makes every nested property optional except `id`, which stays required at every level. This doesn't work:\n```ts\ntype DeepPartial<T> = { [K in keyof T]?: DeepPartial<T[K]> };\n```",
        ],
        [
            L,
            "```js\nconst total = items.reduce((sum, it) => sum + it.price * it.qty, 0)\n```\nwhat does this return for an empty array",
        ],
        [
            M,
            "TypeError: Cannot read properties of undefined (reading 'map')\n    at UserList (UserList.tsx:14:23)\n    at renderWithHooks (react-dom.development.js:16305:18)\n\n```tsx\nexport function UserList({ teamId }: { teamId: string }) {\n  const [users, setUsers] = useState<User[]>();\n  useEffect(() => {\n    fetch(`/api/teams/${teamId}/users`).then((r) => r.json()).then(setUsers);\n  }, [teamId]);\n  return <ul>{users.map((u) => <li key={u.id}>{u.name}</li>)}</ul>;\n}\n```",
        ],
        [
            F,
            "Users report that their cart sometimes shows items from another session after login. This is our session middleware and cart service, three files. We've looked for a week.\n\n```ts\n// session.ts\nconst cache = new Map<string, Session>();\nexport async function loadSession(req: Request) {\n  const sid = req.cookies.sid;\n  if (cache.has(sid)) return cache.get(sid)!;\n  const s = await store.get(sid);\n  cache.set(sid, s);\n  return s;\n}\n\n// login.ts\nexport async function login(req: Request, res: Response) {\n  const session = await loadSession(req);\n  session.userId = await verify(req.body);\n  await store.set(req.cookies.sid, session);\n}\n\n// cart.ts\nlet current: Cart | undefined;\nexport async function getCart(req: Request) {\n  const s = await loadSession(req);\n  if (!current || current.userId !== s.userId) current = await carts.load(s.userId);\n  return current;\n}\n```",
        ],
        [
            L,
            'fix the typo in this error message\n```ts\nthrow new Error("Recieved an invalid reponse from the server");\n```',
        ],
        [
            M,
            "convert this promise chain to async/await with try/catch\n```js\nfunction loadDashboard(id) {\n  return api.getUser(id)\n    .then(user => api.getTeams(user.orgId).then(teams => ({ user, teams })))\n    .then(({ user, teams }) => render(user, teams))\n    .catch(err => { logger.error(err); showError(); });\n}\n```",
        ],
        [
            L,
            "complete\n```ts\nexport function clamp(value: number, min: number, max: number): number {\n  \n}\n```",
        ],
    ]),
    ...family("code_cpp", [
        [
            F,
            "Our order book crashes maybe once a week in production with a segfault inside match(). Can't reproduce locally. Two threads: one feeds orders, one cancels.\n\n```cpp\nvoid OrderBook::cancel(OrderId id) {\n    auto it = index_.find(id);\n    if (it == index_.end()) return;\n    it->second->level->orders.erase(it->second);\n    index_.erase(it);\n}\n\nvoid OrderBook::match(Order& incoming) {\n    std::lock_guard<std::mutex> g(mu_);\n    for (auto& lvl : asks_) {\n        for (auto it = lvl.orders.begin(); it != lvl.orders.end();) {\n            fill(incoming, *it);\n            if (it->remaining == 0) it = lvl.orders.erase(it); else ++it;\n        }\n    }\n}\n```",
        ],
        [
            L,
            "what does `std::move` actually do here\n```cpp\nstd::vector<int> a = make();\nstd::vector<int> b = std::move(a);\n```",
        ],
        [
            M,
            'this leaks memory according to valgrind, fix it with RAII\n```cpp\nchar* read_all(const char* path) {\n    FILE* f = fopen(path, "rb");\n    if (!f) return nullptr;\n    fseek(f, 0, SEEK_END);\n    long n = ftell(f);\n    rewind(f);\n    char* buf = (char*)malloc(n + 1);\n    if (fread(buf, 1, n, f) != (size_t)n) return nullptr;\n    buf[n] = 0;\n    fclose(f);\n    return buf;\n}\n```',
        ],
        [
            L,
            "add const where it makes sense\n```cpp\nint sum(std::vector<int>& v) {\n    int s = 0;\n    for (int& x : v) s += x;\n    return s;\n}\n```",
        ],
        [
            M,
            "write googletest cases for this ring buffer: empty, full, wraparound, overwrite\n```cpp\ntemplate <typename T, size_t N>\nclass Ring {\n public:\n  void push(T v) { buf_[head_] = v; head_ = (head_ + 1) % N; if (size_ < N) ++size_; }\n  std::optional<T> pop() {\n    if (size_ == 0) return std::nullopt;\n    size_t tail = (head_ + N - size_) % N;\n    --size_;\n    return buf_[tail];\n  }\n  size_t size() const { return size_; }\n private:\n  std::array<T, N> buf_{};\n  size_t head_ = 0, size_ = 0;\n};\n```",
        ],
    ]),
    ...family("code_yaml", [
        [
            M,
            "our github action runs the tests twice on every PR, once for push and once for pull_request. make it run once, and cache node_modules\n```yaml\nname: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-node@v4\n        with:\n          node-version: 20\n      - run: npm ci\n      - run: npm test\n```",
        ],
        [
            L,
            "indent this properly, kubectl says error converting YAML\n```yaml\napiVersion: v1\nkind: Service\nmetadata:\nname: web\nspec:\n  selector:\n  app: web\n  ports:\n    - port: 80\n    targetPort: 8080\n```",
        ],
        [
            F,
            "Review this for security before we apply it to the prod cluster.\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: log-shipper\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      serviceAccountName: cluster-admin-sa\n      containers:\n        - name: shipper\n          image: shipper:latest\n          securityContext:\n            privileged: true\n          volumeMounts:\n            - name: host\n              mountPath: /host\n      volumes:\n        - name: host\n          hostPath:\n            path: /\n```",
        ],
        [L, "what does `restart: unless-stopped` mean in docker compose"],
        [
            M,
            'add a postgres service with a volume and a healthcheck to this compose file, and make api wait for it\n```yaml\nservices:\n  api:\n    build: .\n    ports: ["8000:8000"]\n    environment:\n      DATABASE_URL: postgres://app:app@db:5432/app\n```',
        ],
        [
            M,
            'this Dockerfile builds a 1.4GB image, make it multi-stage and small\n```dockerfile\nFROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nRUN npm run build\nCMD ["node", "dist/server.js"]\n```',
        ],
    ]),
    ...family("code_misc", [
        [
            L,
            "kotlin: add KDoc\n```kotlin\nfun String.isValidEmail(): Boolean = contains('@') && substringAfter('@').contains('.')\n```",
        ],
        [
            M,
            "C#: this LINQ query does N+1 queries against EF Core, fix it\n```csharp\nvar result = db.Orders\n    .Where(o => o.CreatedAt > since)\n    .ToList()\n    .Select(o => new { o.Id, Customer = db.Customers.Find(o.CustomerId).Name })\n    .ToList();\n```",
        ],
        [L, '```ruby\ndef full_name\n  "#{first_name} #{last_name}".strip\nend\n```\nadd a yard comment'],
        [
            M,
            "php: escape this properly, it's vulnerable to sql injection right?\n```php\n$id = $_GET['id'];\n$result = mysqli_query($conn, \"SELECT * FROM posts WHERE id = $id\");\n```",
        ],
        [
            F,
            "We're designing the plugin API for our editor. This is the current interface; plugins run in-process and can do anything. We want third-party plugins in a marketplace. How should the sandboxing, capability model and versioning work?\n```ts\nexport interface Plugin {\n  name: string;\n  activate(ctx: { workspace: Workspace; fs: typeof import('fs'); net: typeof import('http') }): void;\n  deactivate?(): void;\n}\n```",
        ],
        [L, "swift: what does `guard let` do\n```swift\nguard let user = session.user else { return }\n```"],
        [
            M,
            "scala: write a tail-recursive version of this\n```scala\ndef sum(xs: List[Int]): Int = xs match {\n  case Nil => 0\n  case h :: t => h + sum(t)\n}\n```",
        ],
        [
            F,
            "Elixir: our GenServer mailbox grows without bound under load and the node eventually dies. Producer sends ~20k msgs/s. Here's the server, what's the architectural fix (backpressure? GenStage? partitioning?)\n```elixir\ndef handle_cast({:event, e}, state) do\n  :ok = Repo.insert!(Event.changeset(%Event{}, e))\n  {:noreply, state}\nend\n```",
        ],
    ]),
];
