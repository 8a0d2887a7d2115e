import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In development the API runs on its own port; the dev server forwards /graphql (HTTP and the
// graphql-ws upgrade) so the SPA sees one origin, as it does in production where the API
// serves the built files itself. The session cookie is SameSite=Strict: same origin is required.
const api = process.env.LISTBILL_API_URL ?? "http://127.0.0.1:4000";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { "/graphql": { target: api, ws: true, changeOrigin: true } },
  },
  build: {
    // Budget: first-load JS at most 200 KB gzip; the chart library is split off (see UsagePage).
    chunkSizeWarningLimit: 600,
    sourcemap: false,
  },
});
