import type { Config } from "@react-router/dev/config";

// Server rendering on: loaders and actions run on the server, where the API keys live.
export default { ssr: true } satisfies Config;
