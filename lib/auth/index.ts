export { SecureAuthenticationHandler, type SecureAuthenticationHandlerOptions } from "./SecureAuthenticationHandler.js";
export { checkTokenDestination, parseHostEntry, type TokenDestinationCheck, type TokenRefusalReason } from "./checkTokenDestination.js";
export { GRAPH_HOSTS } from "../chain/graphHosts.js";
export { isLoopbackHostname } from "../chain/isLoopbackHostname.js";
