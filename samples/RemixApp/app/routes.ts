import { type RouteConfig, index, route } from "@react-router/dev/routes";

// The routes scripts and tests rely on (../shared/DESIGN.md, "This round's contract"): add freely, rename none.
export default [
  index("routes/home.tsx"),
  route("login", "routes/login.tsx"),
  route("logout", "routes/logout.tsx"),
  route("inbox", "routes/inbox.tsx"),
  route("inbox/:id", "routes/inbox.$id.tsx"),
  route("bulk-email", "routes/bulk-email.tsx"),
  route("bulk-email/:id", "routes/bulk-email.$id.tsx"),
  route("demo", "routes/demo.tsx"),
] satisfies RouteConfig;
