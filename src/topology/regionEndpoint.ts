// A region's DRS or IAM endpoint: the configured one, else the embedded simulator started for that region.
export const regionEndpoint = (simulatorUrls: ReadonlyMap<string, string>, region: string, endpoint: string | undefined): string => {
  if (endpoint !== undefined) return endpoint;
  const url = simulatorUrls.get(region);
  if (url === undefined) throw new Error(`region ${region} has no endpoint and no embedded simulator; a new simulator region needs a restart`);
  return url;
};
