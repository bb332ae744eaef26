export { SecureAuthenticationHandler, type SecureAuthenticationHandlerOptions } from "./SecureAuthenticationHandler.js";
export { SecureRedirectHandler } from "./SecureRedirectHandler.js";
export { DEFAULT_REDIRECT_OPTIONS, type SecureRedirectHandlerOptions } from "./SecureRedirectHandlerOptions.js";
export { checkTokenDestination, parseHostEntry, type TokenDestinationCheck, type TokenRefusalReason } from "./checkTokenDestination.js";
export { GRAPH_HOSTS } from "../chain/graphHosts.js";
export { isLoopbackHostname } from "../chain/isLoopbackHostname.js";
