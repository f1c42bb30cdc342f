// Child process: the DRS/IAM simulator in fast mode (no request recording, counter request IDs), from dist/.
import { distDemoJobs, distSimulator } from '../lib/dist';
import { runChild } from '../lib/ipc';

runChild(async () => {
  const simulator = await distSimulator().startSimulator({ fast: true, host: '127.0.0.1', jobs: [...distDemoJobs().DEMO_JOBS] });
  return { url: simulator.url, stop: () => simulator.stop() };
});
