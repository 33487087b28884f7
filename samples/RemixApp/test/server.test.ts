import { describe, expect, it } from "vitest";
import { readConfig } from "../app/server/config.server";
import { identityHash } from "../app/server/identity.server";
import { can, parseUsers, verify } from "../app/server/users.server";

describe("the app's users", () => {
  const users = parseUsers("ada:s3cret:Agent, max:pa:ss:word:Manager,Mia:mia:Marketing");

  it("reads name:password:Role entries, a password may hold colons, names are case-insensitive", () => {
    expect(verify(users, "ada", "s3cret")).toEqual({ name: "ada", role: "Agent" });
    expect(verify(users, "max", "pa:ss:word")).toEqual({ name: "max", role: "Manager" });
    expect(verify(users, "MIA", "mia")).toEqual({ name: "mia", role: "Marketing" });
  });

  it("refuses a wrong password and an unknown name alike", () => {
    expect(verify(users, "ada", "wrong")).toBeNull();
    expect(verify(users, "nobody", "s3cret")).toBeNull();
  });

  it("stops at start on a malformed entry or an unknown role", () => {
    expect(() => parseUsers("eve:pw:Admin")).toThrow(/eve/);
    expect(() => parseUsers("eve")).toThrow();
    expect(() => parseUsers("eve::Agent")).toThrow();
  });

  it("lets only Manager and Marketing run campaigns, and every role read tickets", () => {
    expect(can.runCampaigns({ name: "a", role: "Agent" })).toBe(false);
    expect(can.runCampaigns({ name: "m", role: "Marketing" })).toBe(true);
    expect(can.answerTickets({ name: "m", role: "Marketing" })).toBe(false);
    expect(can.readTickets({ name: "a", role: "Agent" })).toBe(true);
  });
});

describe("settings", () => {
  it("needs the API's address, and a session secret in production", () => {
    expect(() => readConfig({ NODE_ENV: "development" })).toThrow(/CRM_API_URL/);
    expect(() => readConfig({ NODE_ENV: "production", CRM_API_URL: "http://crm" })).toThrow(/SESSION_SECRET/);
    const settings = readConfig({ NODE_ENV: "production", CRM_API_URL: "http://crm/", SESSION_SECRET: "x".repeat(32), CRM_API_KEY_AGENT: "k", CRM_USERS: "a:b:Agent" });
    expect(settings.apiUrl).toBe("http://crm");
    expect(settings.publicApiUrl).toBe("http://crm");
    expect(settings.apiKeys.Agent).toBe("k");
  });
});

describe("chat identity", () => {
  it("is the hex HMAC-SHA256 of the lower-cased email, as the host checks it", () => {
    // HMAC-SHA256(key "key", "ann@example.com"), computed independently with Python's hmac module.
    expect(identityHash(" Ann@Example.com ", "key")).toBe("9e477c88a643485898d5bad53f82b84a26a0d030f5639ec82b492b8dbae118a7");
  });
});
