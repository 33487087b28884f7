// Builds dist/crm-chat.js, the one-tag script Crm.Channels embeds and serves at /widget/crm-chat.js, from the same
// source as the module. `npm run sync-widget` (in clients/) copies it into Crm.Channels, so `dotnet build` needs no
// Node; a test fails when the committed copy differs from a fresh build.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const banner = (await readFile(new URL("./src/banner.txt", import.meta.url), "utf8")).trimEnd();
await build({
  entryPoints: [new URL("./src/script-tag.ts", import.meta.url).pathname],
  outfile: new URL("./dist/crm-chat.js", import.meta.url).pathname,
  bundle: true,
  format: "iife",
  target: "es2020",
  charset: "utf8",
  legalComments: "none",
  banner: { js: banner },
  logLevel: "warning",
});
