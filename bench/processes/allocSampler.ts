// Preloaded (--require) into a gateway child by `npm run bench:alloc`: V8's sampling heap profiler, collected
// objects included, started by the first SIGUSR2 and written by the second to allocSamplePath(pid).
import { renameSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { allocSamplePath } from '../lib/allocProfile';

const session = new Session();
session.connect();
let sampling = false;
process.on('SIGUSR2', () => {
  if (!sampling) {
    sampling = true;
    session.post('HeapProfiler.enable', () =>
      session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }),
    );
    return;
  }
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const file = allocSamplePath(process.pid);
    // Renamed into place, so the parent never reads half a file.
    writeFileSync(`${file}.part`, JSON.stringify(result.profile));
    renameSync(`${file}.part`, file);
  });
});
