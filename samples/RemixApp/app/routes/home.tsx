import { redirect } from "react-router";
import type { Route } from "./+types/home";
import { currentUser } from "../server/session.server";
import { can } from "../server/users.server";

export async function loader({ request }: Route.LoaderArgs) {
  const user = await currentUser(request);
  if (!user) throw redirect("/login");
  throw redirect(can.readTickets(user) ? "/inbox" : "/bulk-email");
}
