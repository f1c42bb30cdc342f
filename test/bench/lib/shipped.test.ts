// What the chaos run and the soak read from what ships: the Deployment's memory limit its checker holds RSS to, and the image's
// malloc setting its gateways run with.
import type { IDeployment } from 'kubernetes-models/apps/v1';
import { deploymentMemoryLimitMib, imageEnv } from '../../../bench/lib/shipped';
import { loadManifests } from '../../deploy/kubernetesManifests';

describe('what the chaos run takes from what ships', () => {
  it("reads the gateway container's memory limit from the Deployment, in MiB", () => {
    const deployment = loadManifests().find((manifest) => manifest.doc.kind === 'Deployment')?.doc as IDeployment | undefined;
    const limit = deployment?.spec?.template.spec?.containers.find((container) => container.name === 'gateway')?.resources?.limits?.memory;
    expect(`${deploymentMemoryLimitMib()}Mi`).toBe(limit);
  });

  it("reads MALLOC_ARENA_MAX from the image's final stage, and refuses a setting the image does not make", () => {
    expect(imageEnv(['MALLOC_ARENA_MAX'])).toEqual({ MALLOC_ARENA_MAX: expect.stringMatching(/^[1-9]\d*$/) as string });
    expect(() => imageEnv(['MALLOC_ARENA_MAX', 'NOT_SET_BY_THE_IMAGE'])).toThrow("the Dockerfile's final stage sets no NOT_SET_BY_THE_IMAGE");
  });
});
