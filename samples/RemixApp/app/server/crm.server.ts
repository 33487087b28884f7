import { createCrmClient, CrmApiError, type CrmClient } from "@crm-libraries/client";
import { config } from "./config.server";
import type { User } from "./users.server";

/** The CRM's API as the signed-in person's role: the role's key is used here, on the server, and never sent to a browser. */
export function crmFor(user: User): CrmClient {
  const key = config().apiKeys[user.role];
  if (!key) {
    throw new Response(`No API key is configured for the ${user.role} role (CRM_API_KEY_${user.role.toUpperCase()}).`, { status: 500 });
  }

  return createCrmClient({ baseUrl: config().apiUrl, apiKey: key });
}

/** A refusal of the CRM turned into what a form shows: the server's words, never a stack trace. */
export function problemOf(error: unknown): { status: number; message: string } {
  if (error instanceof CrmApiError) {
    return { status: error.status, message: error.message };
  }

  if (error instanceof Response) {
    throw error;
  }

  return { status: 502, message: "The CRM could not be reached." };
}
