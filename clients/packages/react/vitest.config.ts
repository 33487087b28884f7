import { defineConfig } from "vitest/config";

// Each file says its environment: the server-rendering test runs in plain Node, without a window.
export default defineConfig({ test: { globals: true } });
