export { SecureAuthenticationHandler, type SecureAuthenticationHandlerOptions } from "./SecureAuthenticationHandler.js";
export { checkTokenDestination, parseHostEntry, type TokenDestinationCheck, type TokenRefusalReason } from "./checkTokenDestination.js";
export { GRAPH_HOSTS } from "./graphHosts.js";
export { isLoopbackHostname } from "./isLoopbackHostname.js";
