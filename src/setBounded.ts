// Map.set with a size bound: the entry goes in as the newest, and the oldest one leaves when the map is full.
export const setBounded = <K, V>(map: Map<K, V>, key: K, value: V, maxEntries: number): void => {
  // Re-inserting moves the key to the end of Map's insertion order, so "first" always means "oldest".
  map.delete(key);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
};
