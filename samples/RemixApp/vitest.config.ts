import { defineConfig } from "vitest/config";

// Unit tests of the server-side helpers only (the routes are tested in a browser against the running app).
export default defineConfig({ test: { environment: "node", include: ["test/**/*.test.ts"] } });
