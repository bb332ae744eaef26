/**
 * The Microsoft Graph hosts of every national cloud, as listed by the official client
 * (`GRAPH_URLS` in `@microsoft/microsoft-graph-client`). A token is sent to these without
 * configuration.
 */
export const GRAPH_HOSTS: ReadonlySet<string> = new Set([
  "graph.microsoft.com",
  "graph.microsoft.us",
  "dod-graph.microsoft.us",
  "graph.microsoft.de",
  "microsoftgraph.chinacloudapi.cn",
  "canary.graph.microsoft.com",
]);
