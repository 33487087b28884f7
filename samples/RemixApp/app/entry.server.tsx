import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { createReadableStreamFromReadable } from "@react-router/node";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { ServerRouter, type EntryContext } from "react-router";
import { config } from "./server/config.server";

export const streamTimeout = 5_000;

/**
 * A Content-Security-Policy for every page: scripts only from this app, and its inline hydration scripts only with
 * this response's nonce; the chat widget may reach the CRM host (its API and event stream, attachment pictures).
 */
function contentSecurityPolicy(nonce: string) {
  const crm = new URL(config().publicApiUrl).origin;
  return [
    "default-src 'self'", `script-src 'self' 'nonce-${nonce}'`, "style-src 'self' 'unsafe-inline'", `img-src 'self' data: ${crm}`,
    `connect-src 'self' ${crm}`, "object-src 'none'", "base-uri 'self'", "form-action 'self'", "frame-ancestors 'none'",
  ].join("; ");
}

/** Server rendering, with the headers a security reviewer expects on every page. */
export default function handleRequest(request: Request, status: number, headers: Headers, context: EntryContext) {
  const nonce = randomBytes(16).toString("base64");
  if (process.env.NODE_ENV === "production") {
    // The development server injects scripts of its own (hot reload); the production build is the one to lock down.
    headers.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  }

  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("X-Frame-Options", "DENY");
  headers.set("Referrer-Policy", "strict-origin-when-cross-origin");
  headers.set("Cache-Control", "private, no-store");
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const ready = isbot(request.headers.get("user-agent") ?? "") || context.isSpaMode ? "onAllReady" : "onShellReady";
    const { pipe, abort } = renderToPipeableStream(<ServerRouter context={context} url={request.url} nonce={nonce} />, {
      nonce,
      [ready]() {
        shellRendered = true;
        const body = new PassThrough();
        headers.set("Content-Type", "text/html; charset=utf-8");
        resolve(new Response(createReadableStreamFromReadable(body), { headers, status }));
        pipe(body);
      },
      onShellError: reject,
      onError(error: unknown) {
        status = 500;
        if (shellRendered) console.error(error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
