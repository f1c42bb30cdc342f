// The baselines' one IAM login at start-up: the sandbox user's project-scoped token, reused for every request.
import { distSimulator } from '../lib/dist';

export const fetchIamToken = async (iamUrl: string, projectId: string): Promise<string> => {
  const user = distSimulator().SANDBOX_IAM_USER;
  const response = await fetch(`${iamUrl}/v3/auth/tokens?nocatalog=true`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { domain: { name: user.domain }, name: user.name, password: user.password } } },
        scope: { project: { id: projectId } },
      },
    }),
  });
  const token = response.headers.get('x-subject-token');
  if (response.status !== 201 || !token) throw new Error(`IAM login failed: HTTP ${response.status}`);
  return token;
};
