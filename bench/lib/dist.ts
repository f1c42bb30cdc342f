// Loads gateway modules from the root dist/ (the production build), typed from their sources.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DIST } from './paths';

const load = createRequire(__filename);
const fromDist = <T>(file: string): T => load(join(DIST, file)) as T;

export const distServer = () => fromDist<typeof import('../../src/server')>('server.js');
export const distLoadConfig = () => fromDist<typeof import('../../src/config/loadConfig')>('config/loadConfig.js');
export const distLogger = () => fromDist<typeof import('../../src/logger')>('logger.js');
export const distSimulator = () => fromDist<typeof import('../../src/simulator/startSimulator')>('simulator/startSimulator.js');
export const distDemoJobs = () => fromDist<typeof import('../../src/simulator/demoJobs')>('simulator/demoJobs.js');
