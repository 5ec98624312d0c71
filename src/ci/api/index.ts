/** The CI HTTP API (Concourse's shapes), its auth, and the typed client the CLI uses. */
export { ciApiRouter } from "./api.ts";
export { Auth, MAIN_TEAM, storedMemberships } from "./auth.ts";
export type { ApiDeps } from "./context.ts";
export type { ServerInfo } from "./auth-routes.ts";
export { LocalUsers, parseLocalUser, type LocalUser } from "./local-users.ts";
export { serviceAccountReviewer, type TokenReviewer } from "./service-accounts.ts";
export { TokenSigner, type Identity } from "./tokens.ts";
export { CONFIG_VERSION_HEADER } from "./pipeline-routes.ts";
export { CiClient, ApiRequestError } from "./client.ts";
export { hijackHandler } from "./container-routes.ts";
