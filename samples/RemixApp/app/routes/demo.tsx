import { CrmChat } from "@crm-libraries/react";
import { useLoaderData } from "react-router";
import type { Route } from "./+types/demo";
import { config } from "../server/config.server";
import { identityHash } from "../server/identity.server";
import { currentUser } from "../server/session.server";

export const meta: Route.MetaFunction = () => [{ title: "Demo shop · the chat widget through @crm-libraries/react" }];

/**
 * A public page as a customer's site would have it, with the chat widget. A visitor signed in to this app chats as
 * themselves: the identity hash is computed here, in the loader, with a secret the browser never sees.
 */
export async function loader({ request }: Route.LoaderArgs) {
  const settings = config();
  const user = await currentUser(request);
  const secret = settings.chatIdentitySecret;
  const email = user ? `${user.name}@staff.example` : null;
  return {
    endpoint: settings.publicApiUrl,
    user: email && secret && user ? { email, name: user.name, hash: identityHash(email, secret) } : null,
  };
}

export default function Demo() {
  const { endpoint, user } = useLoaderData<typeof loader>();
  return (
    <>
      <h1>Fine Goods &amp; Co.</h1>
      <p>Handmade lamps, shipped across Europe. Questions about an order? Ask us in the chat.</p>
      <CrmChat endpoint={endpoint} title="Chat with Fine Goods" user={user} />
    </>
  );
}
