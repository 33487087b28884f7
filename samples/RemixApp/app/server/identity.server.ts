import { createHmac } from "node:crypto";

/**
 * The chat identity hash of a signed-in user: hex HMAC-SHA256 of the lower-cased email, keyed with the host's
 * Crm:Chat:IdentitySecret. Computed in a loader, on the server; the secret never reaches a browser.
 */
export function identityHash(email: string, secret: string): string {
  return createHmac("sha256", secret).update(email.trim().toLowerCase(), "utf8").digest("hex");
}
