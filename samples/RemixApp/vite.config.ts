import { reactRouter } from "@react-router/dev/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [reactRouter()],
  // The design tokens are shared with the Razor admin UI from one file in the .NET sample.
  server: { fs: { allow: ["..", "../../clients"] } },
});
