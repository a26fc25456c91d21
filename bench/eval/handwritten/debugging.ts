/**
 * Bugs told the way people tell them: a symptom, sometimes with the code, sometimes without. The tier is
 * the bug's: an obvious slip is local, a deterministic bug in one function is mid, a failure that depends
 * on timing, load, environment or several components is frontier.
 */
import { F, L, M, family } from "./corpus.js";

export const debugging = [
    ...family("bugs_a", [
        [
            L,
            "this skips the last element, why\n```python\nfor i in range(len(items) - 1):\n    print(items[i])\n```",
        ],
        [
            M,
            "my binary search loops forever when the target isn't in the list\n```java\nint search(int[] a, int t) {\n    int lo = 0, hi = a.length - 1;\n    while (lo <= hi) {\n        int mid = (lo + hi) / 2;\n        if (a[mid] < t) lo = mid;\n        else if (a[mid] > t) hi = mid;\n        else return mid;\n    }\n    return -1;\n}\n```",
        ],
        [
            F,
            "users in australia sometimes get charged for the wrong day's subscription. we store everything in utc. it happens maybe a dozen times a month. no idea how to even reproduce",
        ],
        [
            M,
            "The total on the invoice page is off by a cent for some amounts like 0.1 + 0.2. We're using JS numbers. What's the right fix for this one calculation?\n```js\nconst total = lines.reduce((s, l) => s + l.price * l.qty, 0).toFixed(2);\n```",
        ],
        [L, "`if (user.role = 'admin')` is always true?"],
        [
            F,
            "Our integration tests pass when run one file at a time but fail randomly when run in parallel with --workers=4. Different test fails each time. They share one Postgres database. What's the right way to isolate them?",
        ],
        [
            M,
            "The date picker shows the wrong day for users in the US (one day earlier). We parse `new Date('2024-03-05')` and display with toLocaleDateString. Why, and what's the fix?",
        ],
        [
            F,
            "After a failover our app keeps writing to the old primary for about 90 seconds and those writes are lost. Aurora, Java with HikariCP. What's going on and how do we make failover safe?",
        ],
        [
            M,
            "This function returns duplicates when the same tag appears with different case. Make it case-insensitive but keep the first spelling seen.\n```python\ndef unique_tags(tags):\n    seen = []\n    for t in tags:\n        if t not in seen:\n            seen.append(t)\n    return seen\n```",
        ],
        [
            L,
            "missing semicolon somewhere in here, tsc complains about line 3\n```ts\nconst a = 1;\nconst b = 2\nconst c = [a, b].map(x => x * 2)\n```",
        ],
        [
            F,
            "The mobile app sometimes shows a blank screen after resuming from background on Android only, roughly 2% of sessions according to Sentry, no JS error captured. React Native 0.74, Hermes. Where do we start?",
        ],
        [
            M,
            "Why does this print the same number 5 times?\n```js\nfor (var i = 0; i < 5; i++) {\n  setTimeout(() => console.log(i), 100);\n}\n```\nand fix it two ways",
        ],
        [
            F,
            "We use optimistic concurrency with an ETag on our documents API. Two editors saving at the same time still overwrite each other occasionally. The check is in the API and the update is a separate statement. Show me why and fix the whole flow.",
        ],
        [
            M,
            "this regex takes forever on some inputs and pegs the CPU: `^(\\w+\\s?)*$`. why and what should I use",
        ],
        [L, "the function is called `calcualte_tax` everywhere in tax.py, fix the spelling"],
    ]),
    ...family("bugs_b", [
        [
            F,
            "goroutines pile up in our websocket hub and memory grows. I think it's the broadcast loop but I can't see it:\n```go\nfunc (h *Hub) run() {\n\tfor {\n\t\tselect {\n\t\tcase c := <-h.register:\n\t\t\th.clients[c] = true\n\t\tcase c := <-h.unregister:\n\t\t\tdelete(h.clients, c)\n\t\tcase msg := <-h.broadcast:\n\t\t\tfor c := range h.clients {\n\t\t\t\tgo func() { c.send <- msg }()\n\t\t\t}\n\t\t}\n\t}\n}\n```\nthis runs with ~20k connections in prod",
        ],
        [
            M,
            "the API returns 500 when the request body has an extra field. we use pydantic v2. I want it to ignore unknown fields for this one model only",
        ],
        [L, "the log says `Listening on port 300` but it should be 3000, here: `app.listen(300)`"],
        [
            M,
            "My Rust program compiles but prints the vector in the wrong order after sorting by score descending:\n```rust\nplayers.sort_by(|a, b| a.score.cmp(&b.score));\n```",
        ],
        [
            F,
            "Sporadically (say once per 10k jobs) our Sidekiq workers process a job whose record doesn't exist yet and fail with RecordNotFound. The job is enqueued in an after_save callback. Rails 7, Postgres. Explain and fix at the framework level, we have ~40 such callbacks.",
        ],
        [
            M,
            "SQLAlchemy: this loads the user's orders with one query per order item. How do I eager-load it?\n```python\nuser = session.get(User, uid)\nfor o in user.orders:\n    for it in o.items:\n        print(it.product.name)\n```",
        ],
        [
            F,
            "The checksum of files we upload to S3 through our multipart uploader occasionally doesn't match the local file, maybe 1 in 50k uploads, only for files over 1GB. Parts are uploaded in parallel by 8 threads. Where's the bug likely to be and how do we prove it's fixed?",
        ],
        [
            L,
            'what\'s wrong: `print("Total: " + total)` TypeError: can only concatenate str (not "int") to str',
        ],
        [
            M,
            'Bash script: the loop stops after the first file when the filename has spaces.\n```bash\nfor f in $(ls *.csv); do\n  process "$f"\ndone\n```',
        ],
        [
            F,
            "Java service: heap is fine but RSS grows to the container limit in ~2 days and the pod is OOMKilled. Netty, lots of direct buffers, JDK 17. How do we find and fix this for good?",
        ],
        [
            M,
            "django admin list page takes 12 seconds for the Order model, there are 300k orders and the list shows customer name and item count",
        ],
        [L, "the button says 'Sumbit'"],
        [
            F,
            "Something in our stack reorders messages: producer sends seq 1,2,3 per account, consumer sees 1,3,2 now and then. Path is API → SQS FIFO → Lambda → Kinesis → consumer. Find where ordering can break and design a fix.",
        ],
        [
            M,
            "useState update doesn't show up right away, the console.log after setItems prints the old array. why, and how should I restructure this handler?\n```jsx\nfunction add(item) {\n  setItems([...items, item]);\n  console.log(items);\n  save(items);\n}\n```",
        ],
        [
            F,
            "we get 'too many open files' on the gateway only during traffic spikes, ulimit is already 65k. the gateway proxies to 40 upstreams with keep-alive. figure out the root cause, not just raise the limit again",
        ],
    ]),
];
