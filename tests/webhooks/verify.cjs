// An independent check of the CRM's webhook signatures: the Standard Webhooks reference library (npm
// "standardwebhooks", pinned in clients/package.json) verifies each delivery the test's receiver recorded.
// Input on stdin: { "secrets": ["whsec_…", …], "deliveries": [{ "headers": { "webhook-id": …, … }, "body": "…" }, …] }
// Output: one line per delivery, "ok" or "bad: <reason>", in order. Any secret may match (rotation).
const path = require("node:path");
const { Webhook } = require(path.join(__dirname, "..", "..", "clients", "node_modules", "standardwebhooks"));

let input = "";
process.stdin.on("data", chunk => { input += chunk; });
process.stdin.on("end", () => {
  const { secrets, deliveries } = JSON.parse(input);
  for (const delivery of deliveries) {
    const errors = [];
    let verified = false;
    for (const secret of secrets) {
      try {
        new Webhook(secret).verify(delivery.body, delivery.headers);
        verified = true;
        break;
      } catch (error) {
        errors.push(error.message);
      }
    }
    console.log(verified ? "ok" : "bad: " + errors.join("; "));
  }
});
