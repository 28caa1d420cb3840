import { defineConfig } from "vite";

// `npm run dev` proxies the API and the local bucket to a running `img2xlsx serve` (make run).
const backend = process.env.IMG2XLSX_BACKEND_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "./",
  // No source maps in production: what the site serves is the minified bundle only.
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  server: {
    proxy: {
      "/api": backend,
      "/_local": backend,
    },
  },
});
