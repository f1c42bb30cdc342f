// `npm run simulator`: the DRS/IAM simulator on its own, for docker-compose and local work.
import { DEMO_JOBS } from './demoJobs';
import { readUsers } from './readUsers';
import { SANDBOX_IAM_USER, startSimulator } from './startSimulator';

const readPort = (value: string | undefined): number => {
  const port = Number(value ?? '9090');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SIMULATOR_PORT must be a port number, got "${value ?? ''}"`);
  return port;
};

const main = async (): Promise<void> => {
  const configured = process.env.SIMULATOR_USERS;
  const users = readUsers(configured);
  const simulator = await startSimulator({
    users,
    port: readPort(process.env.SIMULATOR_PORT),
    host: process.env.SIMULATOR_HOST ?? '127.0.0.1',
    jobs: [...DEMO_JOBS],
  });
  console.log(`DRS/IAM simulator listening on ${simulator.url}`);
  // The sandbox password is public; configured ones are not printed.
  if (configured === undefined || configured === '') console.log(`IAM user: domain=${SANDBOX_IAM_USER.domain} name=${SANDBOX_IAM_USER.name} password=${SANDBOX_IAM_USER.password}`);
  else console.log(`IAM users: ${users.map((user) => `${user.domain}/${user.name}`).join(', ')}`);
  console.log('Demo jobs (any other well-formed job ID is a CONFIGURATION job that passes):');
  for (const job of DEMO_JOBS) console.log(`  ${job.id}  ${job.status}  ${job.outcome ?? 'pass'}`);
  console.log('Faults: PUT/DELETE /__sim/faults, GET /__sim/stats, GET /__sim/starts, POST /__sim/revoke-tokens, PUT /__sim/jobs/{id}');

  const shutdown = (signal: string): void => {
    console.log(`${signal}: stopping simulator`);
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
};

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
