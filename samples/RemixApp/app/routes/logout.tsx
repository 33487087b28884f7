import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { requireSameOrigin, sessions } from "../server/session.server";

export async function action({ request }: Route.ActionArgs) {
  requireSameOrigin(request);
  const session = await sessions().getSession(request.headers.get("Cookie"));
  throw redirect("/login", { headers: { "Set-Cookie": await sessions().destroySession(session) } });
}

export const loader = () => redirect("/");
