// Imported first by main.ts: node's default action for SIGHUP ends the process, so a reload signal sent while the
// modules still load (a rolling restart meeting a configuration push) would kill a starting gateway. This listener
// only keeps the default away; main.ts's own handler replaces it once installed.
export const ignoreSighupWhileLoading = (): void => undefined;
process.on('SIGHUP', ignoreSighupWhileLoading);
