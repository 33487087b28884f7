import { createCookieSessionStorage, redirect } from "react-router";
import { config } from "./config.server";
import { parseUsers, type User } from "./users.server";

let storage: ReturnType<typeof createCookieSessionStorage<{ user: User }>> | undefined;
let users: ReturnType<typeof parseUsers> | undefined;

/** The signed session cookie: HttpOnly, SameSite=Lax (a cross-site form cannot use it), Secure over HTTPS. */
export function sessions() {
  return (storage ??= createCookieSessionStorage<{ user: User }>({
    cookie: {
      name: "crm_app_session",
      httpOnly: true,
      sameSite: "lax",
      path: "/",
      secure: process.env.NODE_ENV === "production" && process.env.CRM_INSECURE_COOKIES !== "1",
      secrets: [config().sessionSecret],
      maxAge: 8 * 60 * 60,
    },
  }));
}

export const configuredUsers = () => (users ??= parseUsers(config().users));

export async function currentUser(request: Request): Promise<User | null> {
  const session = await sessions().getSession(request.headers.get("Cookie"));
  return session.get("user") ?? null;
}

/** The signed-in user, or a redirect to the sign-in page that comes back here. */
export async function requireUser(request: Request): Promise<User> {
  const user = await currentUser(request);
  if (!user) {
    const url = new URL(request.url);
    throw redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }

  return user;
}

/** The signed-in user if `allowed`, else 403 (and no data). */
export async function requireRole(request: Request, allowed: (user: User) => boolean): Promise<User> {
  const user = await requireUser(request);
  if (!allowed(user)) {
    throw new Response("Your role may not open this page.", { status: 403, statusText: "Forbidden" });
  }

  return user;
}

/**
 * A state-changing request must come from this app's own pages: its Origin (sent by every browser on a POST) names
 * this host. With the SameSite cookie this stops cross-site request forgery.
 */
export function requireSameOrigin(request: Request) {
  const origin = request.headers.get("Origin");
  const host = request.headers.get("X-Forwarded-Host") ?? request.headers.get("Host");
  if (origin && host && new URL(origin).host !== host) {
    throw new Response("Cross-site request refused.", { status: 403, statusText: "Forbidden" });
  }
}
