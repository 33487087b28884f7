import { isRouteErrorResponse, Form, Links, Meta, NavLink, Outlet, Scripts, ScrollRestoration, useRouteLoaderData, type LinksFunction } from "react-router";
import type { Route } from "./+types/root";
import { currentUser } from "./server/session.server";
import { can } from "./server/users.server";
import theme from "../../../src/Crm.Admin/Assets/site.css?url";
import styles from "./app.css?url";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: theme }, { rel: "stylesheet", href: styles }];

export async function loader({ request }: Route.LoaderArgs) {
  const user = await currentUser(request);
  return { user, menu: user ? { inbox: can.readTickets(user), bulkEmail: can.runCampaigns(user) } : null };
}

export function Layout({ children }: { children: React.ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <header className="topbar">
          <a className="brand" href="/">Crm<span>.</span>Libraries</a>
          <nav aria-label="Main">
            {data?.menu?.inbox && <NavLink to="/inbox" data-testid="nav-inbox">Inbox</NavLink>}
            {data?.menu?.bulkEmail && <NavLink to="/bulk-email" data-testid="nav-bulk-email">Bulk Email</NavLink>}
            <NavLink to="/demo">Demo site</NavLink>
          </nav>
          {data?.user
            ? (
                <Form method="post" action="/logout" className="signout">
                  <span className="who">{data.user.name} · {data.user.role}</span>
                  <button className="link" type="submit" data-testid="logout">Sign out</button>
                </Form>
              )
            : <NavLink to="/login">Sign in</NavLink>}
        </header>
        <main className="page">{children}</main>
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const [title, detail] = isRouteErrorResponse(error)
    ? [error.status === 403 ? "Not for your role" : error.status === 404 ? "Not found" : `Error ${error.status}`, typeof error.data === "string" ? error.data : error.statusText]
    : ["Something went wrong", "The page could not be shown. Try again in a moment."];
  return (
    <section className="card" role="alert" data-testid="error">
      <h1>{title}</h1>
      <p>{detail}</p>
    </section>
  );
}
