// Jobs `npm run simulator` seeds so every pre-check path can be tried by hand; other IDs are auto-created and pass.
import type { SimulatedJob } from './jobStore';

export const DEMO_JOBS: readonly SimulatedJob[] = [
  { id: '140b5236-88ad-43c8-811c-1268453jb101', status: 'CONFIGURATION', outcome: 'pass' },
  { id: 'a281f62f-4631-45d6-a2d3-679a9f4jb105', status: 'CONFIGURATION', outcome: 'alarm' },
  { id: 'e11eaf8f-71ef-4fad-8890-aed7572ajb11', status: 'CONFIGURATION', outcome: 'fail' },
  { id: '4c6ac8c0-2f51-426a-97b2-cb2c668jb201', status: 'INCRE_TRANSFER_STARTED', outcome: 'pass' },
  { id: '6211d20d-0006-41da-836e-db3301ajb20b', status: 'FULL_TRANSFER_STARTED', outcome: 'pass' },
];
