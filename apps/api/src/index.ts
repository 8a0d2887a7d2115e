export { type App, startApp } from "./app.js";
export { type ApiConfig, configFromEnv } from "./config.js";
export { buildApiSchema } from "./graphql/schema.js";
