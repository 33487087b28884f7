import { createHash, timingSafeEqual } from "node:crypto";
import type { Role } from "./config.server";

export interface User {
  name: string;
  role: Role;
}

const roles: readonly Role[] = ["Agent", "Manager", "Marketing"];

/**
 * The app's own users, from CRM_USERS: `name:password:Role` entries separated by commas. A malformed entry or an
 * unknown role is an error at start, never a user who cannot sign in (or one who can do more than meant).
 */
export function parseUsers(value: string): Map<string, { password: string; role: Role }> {
  const users = new Map<string, { password: string; role: Role }>();
  for (const entry of value.split(",").map(e => e.trim()).filter(Boolean)) {
    const first = entry.indexOf(":"), last = entry.lastIndexOf(":");
    const name = entry.slice(0, first), password = entry.slice(first + 1, last), role = entry.slice(last + 1) as Role;
    if (first <= 0 || last === first || !password || !roles.includes(role)) {
      throw new Error(`CRM_USERS: '${name || entry.slice(0, 20)}' is not name:password:Role with a role of ${roles.join(", ")}.`);
    }

    users.set(name.toLowerCase(), { password, role });
  }

  return users;
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * The user these credentials name, or null. The comparison takes as long for an unknown name as for a wrong password,
 * so timing tells nobody which names exist.
 */
export function verify(users: Map<string, { password: string; role: Role }>, name: string, password: string): User | null {
  const found = users.get(name.trim().toLowerCase());
  const matches = timingSafeEqual(digest(found?.password ?? "\u0000no such user"), digest(password));
  return found && matches ? { name: name.trim().toLowerCase(), role: found.role } : null;
}

/** Who may do what: the .NET host enforces it again with the role's API key. */
export const can = {
  readTickets: (user: User) => roles.includes(user.role),
  answerTickets: (user: User) => user.role === "Agent" || user.role === "Manager",
  runCampaigns: (user: User) => user.role === "Manager" || user.role === "Marketing",
};
