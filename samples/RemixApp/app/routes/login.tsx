import { Form, redirect, useActionData } from "react-router";
import type { Route } from "./+types/login";
import { configuredUsers, requireSameOrigin, sessions } from "../server/session.server";
import { verify } from "../server/users.server";

export const meta: Route.MetaFunction = () => [{ title: "Sign in · Crm.Libraries" }];

/** Only a path of this app: never an absolute URL someone put in the link (an open redirect). */
const safeNext = (next: string | null) => (next && next.startsWith("/") && !next.startsWith("//") ? next : "/");

export async function action({ request }: Route.ActionArgs) {
  requireSameOrigin(request);
  const form = await request.formData();
  const user = verify(configuredUsers(), String(form.get("user") ?? ""), String(form.get("password") ?? ""));
  if (!user) {
    return { error: "The user name or password is not right." };
  }

  const session = await sessions().getSession(request.headers.get("Cookie"));
  session.set("user", user);
  throw redirect(safeNext(new URL(request.url).searchParams.get("next")), { headers: { "Set-Cookie": await sessions().commitSession(session) } });
}

export default function Login() {
  const result = useActionData<typeof action>();
  return (
    <section className="card login">
      <h1>Sign in</h1>
      <Form method="post">
        <label htmlFor="user">User</label>
        <input id="user" name="user" type="text" autoComplete="username" required data-testid="login-user" />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required data-testid="login-password" />
        {result?.error && <p className="error" role="alert">{result.error}</p>}
        <p><button className="btn" type="submit" data-testid="login-submit">Sign in</button></p>
      </Form>
    </section>
  );
}
