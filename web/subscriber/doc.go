// Package subscriber serves the pages and the JSON API where a subscriber
// proves a number with a one-time code sent by SMS, then sees and changes
// the number's oppositions — all commercial SMS, or one brand at a time —
// and downloads a signed receipt of each change (docs/RULES.md, "STOP,
// START and the opposition register").
//
// # Accounts
//
// Nobody has a password: whoever receives the code sent to a number may
// act for it. A code is six random digits, valid ten minutes, good for
// five attempts; requests for codes are limited per number and per client
// address, and failed attempts per client address, so that the gateway is
// no SMS cannon and a code cannot be guessed. Pending codes and sessions
// live in memory: they last minutes, and a restart only asks a subscriber
// for a new code.
//
// The pages keep the session in an HttpOnly, Secure, SameSite=Lax cookie
// holding a random identifier (never the number), renewed on sign-in;
// every form carries the session's CSRF token, and a request from another
// origin is refused. The API takes the session token as a Bearer token
// instead of a cookie, and JSON bodies only, so a browser cannot be made
// to call it from another site.
//
// # Changes and receipts
//
// A STOP or START goes to the opposition service the server is given; the
// gateway's wiring passes the recorder that writes the store, the ledger
// and the opposition index, so that a STOP is enforced before the page
// answers. Without it (Options.OppositionsLedgered false) the server
// appends the ledger entry itself. Each change gets a receipt: the change
// as canonical JSON, signed with the server's Ed25519 key, whose public
// half is published at /api/v1/subscriber/receipt-key; the receipt names
// the number in clear, since it is the subscriber's own proof. A receipt
// is rebuilt from the register on demand, so nothing extra is stored.
//
// Changes are limited per number too, and a STOP of what is already
// stopped (or a START of what is not) records nothing.
//
// # API
//
// The same under /api/v1/subscriber/: POST code, POST session (returns the
// token), GET and POST oppositions, GET brands, GET receipts/{seq}, GET
// receipt-key, POST receipts/verify, DELETE session. Errors are JSON,
// {"error": {"reason", "message"}}, the reason a stable code. OpenAPI
// (embedded openapi.json, also served at /api/v1/subscriber/openapi.json)
// describes it with absolute paths and Subscriber-prefixed schema names,
// ready to merge into the console's document.
//
// # Pages
//
// html/template with embedded templates and style sheet, no script and no
// outside resource; French by default, Arabic (right to left) and English,
// chosen with ?lang= and kept in a cookie.
//
// Numbers never reach the logs in clear: they are masked (+2126••••5678).
package subscriber
