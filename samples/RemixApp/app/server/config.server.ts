// The app's settings, read from the environment on the server only: nothing here reaches a browser.

export type Role = "Agent" | "Manager" | "Marketing";

export interface AppConfig {
  /** The .NET host as this server reaches it. */
  apiUrl: string;
  /** The .NET host as visitors' browsers reach it (the chat widget talks to it directly). */
  publicApiUrl: string;
  /** The API key of each role, used by loaders and actions for the signed-in person's role. */
  apiKeys: Record<Role, string | undefined>;
  sessionSecret: string;
  /** The secret the host checks chat identities with (Crm:Chat:IdentitySecret), to sign the demo page's user. */
  chatIdentitySecret: string | undefined;
  users: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const apiUrl = (env.CRM_API_URL ?? "").replace(/\/+$/, "");
  if (!apiUrl) {
    throw new Error("Set CRM_API_URL to the .NET host's address, e.g. http://localhost:5000.");
  }

  const production = env.NODE_ENV === "production";
  const sessionSecret = env.SESSION_SECRET ?? (production ? "" : "development-only-session-secret-0123456789");
  if (sessionSecret.length < 32) {
    throw new Error("Set SESSION_SECRET to at least 32 random characters (it signs the session cookie).");
  }

  return {
    apiUrl,
    publicApiUrl: (env.CRM_PUBLIC_API_URL ?? apiUrl).replace(/\/+$/, ""),
    apiKeys: { Agent: env.CRM_API_KEY_AGENT, Manager: env.CRM_API_KEY_MANAGER, Marketing: env.CRM_API_KEY_MARKETING },
    sessionSecret,
    chatIdentitySecret: env.CRM_CHAT_IDENTITY_SECRET || undefined,
    users: env.CRM_USERS ?? (production ? "" : "agent:agent:Agent,manager:manager:Manager,marketing:marketing:Marketing"),
  };
}

let cached: AppConfig | undefined;

/** The settings of this process (read once). */
export const config = (): AppConfig => (cached ??= readConfig());
