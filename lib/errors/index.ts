export { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
export { GraphNetworkError, type NetworkFailureKind } from "./GraphNetworkError.js";
export { AttemptTimeoutError } from "./AttemptTimeoutError.js";
export { DeadlineExceededError } from "./DeadlineExceededError.js";
export { RetryAfterTooLongError } from "./RetryAfterTooLongError.js";
export { ThrottleQueueFullError } from "./ThrottleQueueFullError.js";
export { ValidationError, type ValidationIssue } from "./ValidationError.js";
export { InvalidOptionsError } from "./InvalidOptionsError.js";
